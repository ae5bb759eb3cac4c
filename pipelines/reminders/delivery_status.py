"""Provider callbacks: Twilio's message status and SendGrid's event webhook.

A callback is applied once, by its own id (a repeated SendGrid event carries the same
`sg_event_id`). Permanent failures suppress the address without retry; transient ones send
again after a backoff; an unsubscribe or spam report revokes the patient's consent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.reminders import DeliveryEvent, Reminder
from pipelines.reminders.consent import set_consent, suppress_contact
from pipelines.reminders.dispatch import PERMANENT_SMS_CODES, reschedule
from pipelines.reminders.policy import ReminderPolicy

TRANSIENT_SMS_CODES = frozenset({"30001", "30003", "30008", "30017", "30022"})
SMS_FAILED = frozenset({"failed", "undelivered"})
EMAIL_PERMANENT = frozenset({"bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe"})
EMAIL_REVOKES = frozenset({"spamreport", "unsubscribe", "group_unsubscribe"})
KEY_PREFIX = "reminder:"


def _first_time(session: Session, event_key: str, provider: str, event: str, reminder_id: str | None) -> bool:
    """Record the callback; False if it was recorded before (a provider's retry)."""
    try:
        with session.begin_nested():
            session.add(
                DeliveryEvent(
                    event_key=event_key[:160], provider=provider, event=event[:32], reminder_id=reminder_id
                )
            )
    except IntegrityError:
        return False
    return True


def apply_twilio_status(
    session: Session,
    message_sid: str,
    status: str,
    error_code: str | None,
    now: datetime,
    policy: ReminderPolicy,
) -> bool:
    """Apply one status callback; False when the message is not a reminder or already applied."""
    row = session.scalar(select(Reminder).where(Reminder.provider_id == message_sid))
    if row is None or not _first_time(session, f"twilio:{message_sid}:{status}", "twilio", status, row.id):
        return False
    row.delivery_status = status
    if status == "delivered" and row.status == "sent":
        row.status = "delivered"
    elif status in SMS_FAILED and row.status in ("sent", "delivered"):
        code = error_code or "unknown"
        row.error = f"twilio {status} (code {code})"
        if code in PERMANENT_SMS_CODES:
            row.status = "failed"
            suppress_contact(session, row.recipient_hash, "sms", f"twilio {code}")
        elif code in TRANSIENT_SMS_CODES:
            reschedule(row, now, policy)
        else:
            row.status = "failed"
    return True


def _reminder_of(session: Session, event: Mapping[str, Any]) -> Reminder | None:
    key = event.get("carepulse_key")
    if not isinstance(key, str) or not key.startswith(KEY_PREFIX):
        return None
    return session.get(Reminder, key.removeprefix(KEY_PREFIX))


def apply_sendgrid_events(
    session: Session, events: Iterable[Mapping[str, Any]], now: datetime, policy: ReminderPolicy
) -> int:
    """Apply a batch of events; each `sg_event_id` counts once. Returns how many were new."""
    applied = 0
    for event in events:
        kind, event_id = str(event.get("event") or ""), event.get("sg_event_id")
        if not kind or not isinstance(event_id, str):
            continue
        row = _reminder_of(session, event)
        if not _first_time(session, f"sendgrid:{event_id}", "sendgrid", kind, row.id if row else None):
            continue
        applied += 1
        address = event.get("email")
        if _permanent(event) and isinstance(address, str) and address:
            suppress_contact(session, policy.keys.hash("email", address), "email", f"sendgrid {kind}")
        if row is None:
            continue
        _apply_to_reminder(session, row, event, kind, now, policy)
    return applied


def _permanent(event: Mapping[str, Any]) -> bool:
    """A bounce of type `blocked` is a temporary block by the receiving server, not a bad address."""
    return event.get("event") in EMAIL_PERMANENT and event.get("type") != "blocked"


def _apply_to_reminder(
    session: Session,
    row: Reminder,
    event: Mapping[str, Any],
    kind: str,
    now: datetime,
    policy: ReminderPolicy,
) -> None:
    row.delivery_status = kind
    if kind == "delivered" and row.status == "sent":
        row.status = "delivered"
    elif _permanent(event):
        suppress_contact(session, row.recipient_hash, "email", f"sendgrid {kind}")
        row.status, row.error = "failed", f"sendgrid {kind}"
        if kind in EMAIL_REVOKES:
            set_consent(session, [row.patient_ref], "revoked", "email", f"sendgrid {kind}")
    elif kind == "bounce" and row.status in ("sent", "delivered"):
        row.error = "sendgrid bounce (blocked)"
        reschedule(row, now, policy)
