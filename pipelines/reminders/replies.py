"""Patients' answers to an appointment reminder: C or YES confirms, R asks to reschedule.

An answer is matched only to the latest reminder sent to that phone within the reply
window (48 h by default): a reply days later is not an answer to an old reminder, and the
caller treats it as what it is (new feedback, or START).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.reminders import Reminder
from pipelines.analysis.local import fold
from pipelines.reminders.policy import ReminderPolicy

ANSWERS = {"c": "confirmed", "yes": "confirmed", "oui": "confirmed", "si": "confirmed", "r": "reschedule"}
_WORD = re.compile(r"^\s*([a-z]+)\s*[.!]*\s*$")
THANKS = {
    "confirmed": {
        "en": "Thank you, your appointment is confirmed.",
        "fr": "Merci, votre rendez-vous est confirme.",
        "es": "Gracias, su cita esta confirmada.",
    },
    "reschedule": {
        "en": "Thank you, we will contact you to find a new time.",
        "fr": "Merci, nous vous contacterons pour fixer un autre horaire.",
        "es": "Gracias, le contactaremos para buscar otra hora.",
    },
}


def answer_of(body: str) -> str | None:
    match = _WORD.match(fold(body))
    return ANSWERS.get(match.group(1)) if match else None


def record_reply(
    session: Session, phone_hashes: list[str], body: str, now: datetime, policy: ReminderPolicy
) -> str | None:
    """Record the answer on the reminder it answers and return the thank-you text, or None
    when the body is not an answer or no reminder sent within the window matches."""
    answer = answer_of(body)
    if answer is None:
        return None
    row = session.scalar(
        select(Reminder)
        .where(
            Reminder.recipient_hash.in_(phone_hashes),
            Reminder.channel == "sms",
            Reminder.kind == "appointment",
            Reminder.sent_at >= now - policy.reply_window,
        )
        .order_by(Reminder.sent_at.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None:
        return None
    row.reply, row.replied_at = answer, now
    session.flush()
    return THANKS[answer].get(row.language, THANKS[answer]["en"])
