"""Reminder tests' shared parts: the policy, appointment rows, a real Redis throttle at a
test rate, the real senders pointed at the fake providers, and a dispatcher on a chosen clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.contacts import Keyring
from models.db import session_scope
from models.reminders import Reminder
from pipelines.clients.messaging import ChannelSender, Sender
from pipelines.clients.sendgrid_email import SendGridEmailSender
from pipelines.clients.twilio_sms import TwilioSmsSender
from pipelines.optout import OptOutGuard, OptOutRegistry
from pipelines.reminders.booking import import_appointments, schedule_reminder
from pipelines.reminders.dispatch import DispatchReport, dispatch
from pipelines.reminders.planning import PlanReport, plan
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.requests import AppointmentRow, ReminderRequest
from pipelines.reminders.send_window import SendWindow
from pipelines.reminders.throttle import RedisThrottle
from tests.conftest import REDIS_URL
from tests.fakes.providers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SENDGRID_KEY,
    TWILIO_FROM,
    FakeProviders,
    fake_providers,
)

SECRET = "outreach-test-secret-0123456789"
KEYS = Keyring(SECRET)
LEASE = timedelta(minutes=5)


def policy(**overrides: Any) -> ReminderPolicy:
    values: dict[str, Any] = {
        "keys": KEYS,
        "window": SendWindow("08:00", "21:00"),
        "provider": "St Mary's Hospital",
        "public_base_url": "https://feedback.hospital.example",
        "survey_url": "https://s.hospital.example/v",
    }
    return ReminderPolicy(**(values | overrides))


def appointment(
    number: int, at: datetime, channel: str = "sms", tz: str = "Europe/Paris", **fields: Any
) -> AppointmentRow:
    to = f"+3361234{number:04d}" if channel == "sms" else f"patient{number}@mail.example"
    values = {
        "external_id": f"appt-{number}",
        "patient_ref": f"MRN{number:05d}",
        "channel": channel,
        "to": to,
        "timezone": tz,
        "appointment_at": at,
    }
    return AppointmentRow.model_validate(values | fields)


def book(
    sessions: sessionmaker[Session], rows: list[AppointmentRow], rules: ReminderPolicy, now: datetime
) -> None:
    with session_scope(sessions) as session:
        import_appointments(session, rows, rules, now)


def plan_at(sessions: sessionmaker[Session], rules: ReminderPolicy, now: datetime) -> PlanReport:
    with session_scope(sessions) as session:
        return plan(session, now, rules)


def throttle() -> RedisThrottle:
    """The real throttle, at a rate no test waits for."""
    return RedisThrottle(REDIS_URL, {"sms": 1000, "email": 1000}, {"sms": "test-sms", "email": "test-email"})


def real_sender(providers: FakeProviders, timeout: float = 5) -> Sender:
    """Twilio and SendGrid SDK clients against the fakes, behind the opt-out guard, as workers build it."""
    sms = TwilioSmsSender(
        ACCOUNT_SID, AUTH_TOKEN, providers.twilio.base_url, from_number=TWILIO_FROM, timeout=timeout
    )
    email = SendGridEmailSender(
        SENDGRID_KEY, "reminders@hospital.example", providers.sendgrid.base_url, timeout=timeout
    )
    return OptOutGuard(ChannelSender(sms, email), OptOutRegistry(KEYS))


@contextmanager
def providers_and_sender() -> Iterator[tuple[FakeProviders, Sender]]:
    with fake_providers() as providers:
        yield providers, real_sender(providers)


def dispatch_at(
    sessions: sessionmaker[Session], sender: Sender, rules: ReminderPolicy, now: datetime
) -> DispatchReport:
    return dispatch(
        sessions,
        sender,
        rules,
        throttle(),
        chunk=50,
        lease=LEASE,
        budget=timedelta(minutes=1),
        clock=lambda: now,
    )


def reminders(sessions: sessionmaker[Session], **where: Any) -> list[Reminder]:
    with sessions() as session:
        query = select(Reminder).filter_by(**where).order_by(Reminder.send_at, Reminder.id)
        return list(session.scalars(query))


def schedule(
    sessions: sessionmaker[Session], rules: ReminderPolicy, now: datetime, **fields: Any
) -> Reminder:
    """One reminder booked at `now` (by default a survey invitation in Paris, due at `now`)."""
    values = {"patient_ref": "MRN-1", "kind": "survey_invite", "timezone": "Europe/Paris", "send_at": now}
    with session_scope(sessions) as session:
        return schedule_reminder(session, ReminderRequest.model_validate(values | fields), rules, now, "test")


def send_now(
    sessions: sessionmaker[Session], rules: ReminderPolicy, now: datetime, **fields: Any
) -> Reminder:
    """One reminder sent at `now` through the real SDK clients and the fake providers."""
    reminder_id = schedule(sessions, rules, now, **fields).id
    with providers_and_sender() as (providers, sender):
        dispatch_at(sessions, sender, rules, now)
        received = providers.twilio.messages if fields.get("channel") == "sms" else providers.sendgrid.mails
        assert len(received) == 1
    with sessions() as session:
        row = session.get(Reminder, reminder_id)
    assert row.status == "sent"
    return row
