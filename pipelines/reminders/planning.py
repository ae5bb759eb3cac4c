"""The nightly plan: a reminder the day before each appointment and a survey invitation the
day after each visit, rendered in the patient's language, timed inside the patient's
allowed window in their own timezone, and stored to wait in the database until due.

Planning is idempotent: a reminder is unique per appointment and kind, and rows are
inserted with ON CONFLICT DO NOTHING, so a second beat process or a rerun adds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.reminders import Appointment, Reminder
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.screening import Screen
from pipelines.reminders.send_window import local_instant
from pipelines.reminders.templates import TemplateBook
from pipelines.reminders.wording import render

HORIZON = timedelta(days=2)
# An appointment reminder that cannot go out this long before the appointment is dropped.
LATEST_BEFORE_APPOINTMENT = timedelta(hours=2)
INSERT_CHUNK = 1000
READ_CHUNK = 5000


@dataclass
class PlanReport:
    planned: int = 0
    suppressed: int = 0
    expired: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def send_time(
    kind: str, appointment_at: datetime, tz: str, now: datetime, policy: ReminderPolicy
) -> datetime | None:
    """The preferred time (REMINDER_SEND_TIME) on the local day before the appointment, or the
    day after the visit, moved into the window and never in the past; None when too late."""
    local_day = appointment_at.astimezone(ZoneInfo(tz)).date()
    day = local_day - timedelta(days=1) if kind == "appointment" else local_day + timedelta(days=1)
    at = policy.window.next_open(max(local_instant(day, policy.send_time, tz), now), tz, policy.margin)
    if kind == "appointment" and at > appointment_at - LATEST_BEFORE_APPOINTMENT:
        return None
    return at


def render_for(
    book: TemplateBook,
    policy: ReminderPolicy,
    reminder_id: str,
    kind: str,
    channel: str,
    language: str,
    tz: str,
    appointment_at: datetime | None,
) -> tuple[str | None, str]:
    """(subject, body) of one message; dates on the patient's own clock."""
    when = appointment_at.astimezone(ZoneInfo(tz)) if appointment_at is not None else None
    return render(
        book.get(kind, channel, language),
        provider=policy.provider,
        when=when,
        link=policy.survey_url,
        unsubscribe_url=policy.unsubscribe_url(reminder_id) if channel == "email" else None,
    )


def _unplanned(session: Session, kind: str, since: datetime, until: datetime) -> Iterator[Appointment]:
    planned = and_(Reminder.appointment_id == Appointment.id, Reminder.kind == kind)
    query = (
        select(Appointment)
        .outerjoin(Reminder, planned)
        .where(
            Appointment.status == "booked",
            Appointment.appointment_at > since,
            Appointment.appointment_at <= until,
            Reminder.id.is_(None),
        )
        .order_by(Appointment.id)
        .execution_options(yield_per=READ_CHUNK)
    )
    yield from session.scalars(query)


def insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert planned reminders; one that another planner stored first is skipped. One
    statement, compiled once and run for each chunk of rows (executemany)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Reminder.__table__
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["appointment_id", "kind"])
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(statement, rows[start : start + INSERT_CHUNK])


def plan(session: Session, now: datetime, policy: ReminderPolicy) -> PlanReport:
    """Plan every appointment reminder and survey invitation due within the horizon."""
    book, screen, report = TemplateBook(session), Screen.load(session), PlanReport()
    windows = {"appointment": (now, now + HORIZON), "survey_invite": (now - HORIZON, now)}
    for kind, (since, until) in windows.items():
        rows = [
            _planned_row(book, screen, policy, appointment, kind, now, report)
            for appointment in _unplanned(session, kind, since, until)
        ]
        insert_ignoring_duplicates(session, rows)
        report.by_kind[kind] = len(rows)
    return report


def _planned_row(
    book: TemplateBook,
    screen: Screen,
    policy: ReminderPolicy,
    appointment: Appointment,
    kind: str,
    now: datetime,
    report: PlanReport,
) -> dict[str, Any]:
    reminder_id = str(uuid.uuid4())
    at = send_time(kind, appointment.appointment_at, appointment.timezone, now, policy)
    refusal = screen.refusal(appointment.patient_ref, appointment.channel, appointment.recipient_hash)
    status = "expired" if at is None else "suppressed" if refusal else "scheduled"
    report.planned += status == "scheduled"
    report.suppressed += status == "suppressed"
    report.expired += status == "expired"
    subject, body = render_for(
        book,
        policy,
        reminder_id,
        kind,
        appointment.channel,
        appointment.language,
        appointment.timezone,
        appointment.appointment_at,
    )
    return {
        "id": reminder_id,
        "appointment_id": appointment.id,
        "kind": kind,
        "patient_ref": appointment.patient_ref,
        "channel": appointment.channel,
        "recipient_hash": appointment.recipient_hash,
        "recipient_encrypted": appointment.recipient_encrypted,
        "timezone": appointment.timezone,
        "language": appointment.language,
        "appointment_at": appointment.appointment_at,
        "send_at": at or now,
        "status": status,
        "subject": subject,
        "body": body,
        "attempts": 0,
        "error": refusal if status == "suppressed" else ("too late to send" if at is None else None),
        "created_by": "plan",
        "created_at": now,
    }
