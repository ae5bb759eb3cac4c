"""After STOP every outbound sender refuses the number and records a suppressed message;
after START it sends again. Alerts are the sender that exists today; the guard wraps the
`Sender` interface, so reminders get the same check when they land."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.channels import SuppressedMessage
from models.db import session_scope
from models.tables import Alert, SentMessage
from pipelines.clients.messaging import OfflineSender, OutboundMessage
from pipelines.optout import OptOutGuard, OptOutRegistry
from tests.support.alerting import KEYS, roster, route_and_deliver, scored_item
from workers import runtime

ONCALL_PHONE = "+15550100"
ROSTER = roster(sms_to=ONCALL_PHONE, email_to="oncall@hospital.example")


def set_keyword(sessions: sessionmaker[Session], registry: OptOutRegistry, keyword: str) -> None:
    with session_scope(sessions) as session:
        registry.record(session, "+1 555 0100", keyword)


def test_alerts_to_an_opted_out_number_are_suppressed_until_start(sessions: sessionmaker[Session]) -> None:
    registry = OptOutRegistry(KEYS)
    sender = OptOutGuard(OfflineSender(KEYS), registry)
    set_keyword(sessions, registry, "STOP")

    first = scored_item(sessions)
    for _ in range(2):  # a re-run suppresses once, and never sends
        route_and_deliver(sessions, [first], sender, ROSTER)
    with sessions() as session:
        alerts = {
            a.channel: a.status for a in session.scalars(select(Alert).where(Alert.feedback_id == first))
        }
        suppressed = session.scalars(select(SuppressedMessage)).all()
        sent = session.scalars(select(SentMessage)).all()
    assert alerts == {"sms": "suppressed", "email": "sent"}
    assert [(s.channel, s.reason) for s in suppressed] == [("sms", "opted_out")]
    assert suppressed[0].recipient_hash == registry.hash(ONCALL_PHONE)
    assert [m.channel for m in sent] == ["email"]

    set_keyword(sessions, registry, "START")
    second = scored_item(sessions)
    route_and_deliver(sessions, [second], sender, ROSTER)
    with sessions() as session:
        statuses = {
            a.channel: a.status for a in session.scalars(select(Alert).where(Alert.feedback_id == second))
        }
        sms_sent = session.scalars(select(SentMessage).where(SentMessage.channel == "sms")).all()
    assert statuses == {"sms": "sent", "email": "sent"}
    assert [m.recipient_hash for m in sms_sent] == [KEYS.hash("sms", ONCALL_PHONE)]


def test_email_is_not_affected_by_an_sms_stop(sessions: sessionmaker[Session]) -> None:
    registry = OptOutRegistry(KEYS)
    set_keyword(sessions, registry, "STOP")
    with session_scope(sessions) as session:
        provider_id = OptOutGuard(OfflineSender(KEYS), registry).send(
            session, OutboundMessage(channel="email", to=ONCALL_PHONE, body="x", dedupe_key="e-1")
        )
    assert provider_id.startswith("offline-")


def test_the_workers_sender_is_guarded() -> None:
    assert isinstance(runtime.sender(), OptOutGuard)
