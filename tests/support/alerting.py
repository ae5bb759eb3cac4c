"""What the notify task does, as plain calls: route the items, then deliver the pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.contacts import Keyring
from models.db import session_scope
from models.tables import Feedback, UrgencyDecision, utcnow
from pipelines.alert_delivery import DeliveryReport, PageLease, deliver_alerts
from pipelines.alerts import AlertPolicy, route_feedback
from pipelines.clients.messaging import ChannelSender, Sender
from pipelines.clients.sendgrid_email import SendGridEmailSender
from pipelines.clients.twilio_sms import TwilioSmsSender
from pipelines.oncall import Roster
from tests.fakes.providers import ACCOUNT_SID, AUTH_TOKEN, SENDGRID_KEY, TWILIO_FROM
from tests.fakes.sendgrid_server import FakeSendGrid
from tests.fakes.twilio_server import FakeTwilio

SECRET = "test-secret-key-0123456789"
KEYS = Keyring(SECRET)
LEASE = PageLease(timedelta(seconds=25), longest_send=timedelta(seconds=10))


def hashed(*contacts: tuple[str, str]) -> list[tuple[str, str]]:
    """(channel, keyed hash) of each (channel, address), sorted: how the offline sender keeps them."""
    return sorted((channel, KEYS.hash(channel, address)) for channel, address in contacts)


def policy(link_base: str = "https://cp.example", escalate_minutes: int = 10) -> AlertPolicy:
    return AlertPolicy(KEYS, link_base, timedelta(minutes=escalate_minutes))


def roster(sms_to: str = "on-call-sms", email_to: str = "on-call-email") -> Roster:
    return Roster(KEYS, sms_to, email_to)


def providers(twilio: FakeTwilio, sendgrid: FakeSendGrid) -> ChannelSender:
    """The real twilio and sendgrid clients, pointed at the local fakes."""
    sms = TwilioSmsSender(ACCOUNT_SID, AUTH_TOKEN, twilio.base_url, from_number=TWILIO_FROM, timeout=5)
    email = SendGridEmailSender(SENDGRID_KEY, "alerts@h.example", sendgrid.base_url, timeout=5)
    return ChannelSender(sms, email)


def scored_item(
    sessions: sessionmaker[Session],
    level: str = "critical",
    department: str = "ward-3",
    received_at: datetime | None = None,
) -> str:
    """A feedback already scored at `level`, as the chain leaves it for routing."""
    with session_scope(sessions) as session:
        item = Feedback(channel="kiosk", text="…", department=department, received_at=received_at or utcnow())
        session.add(item)
        session.flush()
        session.add(
            UrgencyDecision(
                feedback_id=item.id, level=level, score=0.9, reasons=[], analyzer="local", model_version="t"
            )
        )
        return item.id


def route_and_deliver(
    sessions: sessionmaker[Session],
    ids: list[str],
    sender: Sender,
    people: Roster | None = None,
    now: datetime | None = None,
    alert_policy: AlertPolicy | None = None,
) -> tuple[list[int], DeliveryReport]:
    alert_policy = alert_policy or policy()
    at = now or utcnow()
    with session_scope(sessions) as session:
        alert_ids = route_feedback(session, ids, people or roster(), alert_policy, at)
    return alert_ids, deliver_alerts(sessions, alert_ids, sender, alert_policy, LEASE, clock=lambda: at)
