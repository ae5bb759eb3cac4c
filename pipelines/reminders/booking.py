"""Booking outreach: the appointment import (idempotent per external appointment id) and
single reminders posted by staff or an integration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.reminders import Appointment, Reminder
from pipelines.reminders.planning import render_for, send_time
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.requests import AppointmentRow, ReminderRequest
from pipelines.reminders.screening import Screen
from pipelines.reminders.templates import TemplateBook

LOOKUP_CHUNK = 1000
UNSENT = ("scheduled", "expired", "suppressed", "capped")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _fields(row: AppointmentRow, policy: ReminderPolicy) -> dict[str, Any]:
    return {
        "patient_ref": row.patient_ref,
        "channel": row.channel,
        "recipient_hash": policy.keys.hash(row.channel, row.to),
        "timezone": row.timezone,
        "language": row.language,
        "appointment_at": row.appointment_at,
        "status": row.status,
    }


def _changed(existing: Appointment, fields: dict[str, Any]) -> bool:
    return any(getattr(existing, name) != value for name, value in fields.items())


def import_appointments(
    session: Session, rows: list[AppointmentRow], policy: ReminderPolicy, now: datetime
) -> ImportReport:
    """Create new appointments and update changed ones. A moved or cancelled appointment's
    unsent reminders are withdrawn, so the next plan times them again (or not at all)."""
    report, latest = ImportReport(), {row.external_id: row for row in rows}  # last row wins
    ids = list(latest)
    existing: dict[str, Appointment] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        existing.update(
            (a.external_id, a)
            for a in session.scalars(select(Appointment).where(Appointment.external_id.in_(chunk)))
        )
    new_rows, moved = [], []
    for external_id, row in latest.items():
        fields = _fields(row, policy)
        known = existing.get(external_id)
        if known is None:
            encrypted = policy.keys.cipher.encrypt(row.to)
            new_rows.append(
                {
                    **fields,
                    "external_id": external_id,
                    "recipient_encrypted": encrypted,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        elif _changed(known, fields):
            if known.recipient_hash != fields["recipient_hash"]:
                known.recipient_encrypted = policy.keys.cipher.encrypt(row.to)
            for name, value in fields.items():
                setattr(known, name, value)
            known.updated_at = now
            moved.append(known.id)
            report.updated += 1
        else:
            report.unchanged += 1
    _insert_appointments(session, new_rows)
    report.created = len(new_rows)
    for start in range(0, len(moved), LOOKUP_CHUNK):
        session.execute(
            delete(Reminder).where(
                Reminder.appointment_id.in_(moved[start : start + LOOKUP_CHUNK]), Reminder.status.in_(UNSENT)
            )
        )
    session.flush()
    return report


def _insert_appointments(session: Session, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), LOOKUP_CHUNK):
        session.execute(Appointment.__table__.insert(), rows[start : start + LOOKUP_CHUNK])


def schedule_reminder(
    session: Session, request: ReminderRequest, policy: ReminderPolicy, now: datetime, actor: str
) -> Reminder:
    """One reminder, timed inside the patient's window (at `send_at` or the planned time)."""
    reminder_id = str(uuid.uuid4())
    tz = request.timezone
    if request.send_at is not None:
        at: datetime | None = policy.window.next_open(max(request.send_at, now), tz, policy.margin)
    elif request.appointment_at is not None:
        at = send_time(request.kind, request.appointment_at, tz, now, policy)
    else:
        at = policy.window.next_open(now, tz, policy.margin)
    contact_hash = policy.keys.hash(request.channel, request.to)
    screen = Screen.load(session, [request.patient_ref], [contact_hash])
    refusal = screen.refusal(request.patient_ref, request.channel, contact_hash)
    subject, body = render_for(
        TemplateBook(session),
        policy,
        reminder_id,
        request.kind,
        request.channel,
        request.language,
        tz,
        request.appointment_at,
    )
    row = Reminder(
        id=reminder_id,
        kind=request.kind,
        patient_ref=request.patient_ref,
        channel=request.channel,
        recipient_hash=contact_hash,
        recipient_encrypted=policy.keys.cipher.encrypt(request.to),
        timezone=tz,
        language=request.language,
        appointment_at=request.appointment_at,
        send_at=at or now,
        status="expired" if at is None else "suppressed" if refusal else "scheduled",
        error=refusal or ("too late to send" if at is None else None),
        subject=subject,
        body=body,
        attempts=0,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def cancel_reminder(session: Session, reminder_id: str) -> str | None:
    """`cancelled` if it had not gone out, else its status (None: no such reminder)."""
    row = session.get(Reminder, reminder_id, with_for_update=True)
    if row is None:
        return None
    if row.status in UNSENT:
        row.status = "cancelled"
    return row.status
