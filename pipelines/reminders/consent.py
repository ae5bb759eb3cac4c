"""One consent record per patient, across SMS, email, IVR and kiosk, and the contacts the
providers refused for good.

A revocation, by whatever means it arrives (a keyword, a sentence, an email unsubscribe, a
kiosk or IVR choice, staff), is honoured at once: the dispatcher checks consent again
when it claims each message, so nothing already planned goes out after it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from models.reminders import Appointment, Consent, Reminder, SuppressedContact
from models.tables import utcnow


def set_consent(session: Session, patient_refs: Iterable[str], state: str, via: str, reason: str) -> None:
    """Record `state` (granted | revoked) for each patient; the latest change wins."""
    now = utcnow()
    for ref in sorted(set(patient_refs)):
        row = session.get(Consent, ref, with_for_update=True)
        if row is None:
            row = Consent(patient_ref=ref)
            session.add(row)
        row.state, row.via, row.reason, row.changed_at = state, via, reason, now
    session.flush()


def consent_state(session: Session, patient_ref: str) -> str:
    return session.scalar(select(Consent.state).where(Consent.patient_ref == patient_ref)) or "granted"


def patients_reached_at(session: Session, contact_hashes: list[str]) -> list[str]:
    """The patients whose reminders go to this address (under any of its hashes)."""
    query = union(
        select(Appointment.patient_ref).where(Appointment.recipient_hash.in_(contact_hashes)),
        select(Reminder.patient_ref).where(Reminder.recipient_hash.in_(contact_hashes)),
    )
    return sorted(session.scalars(query))


def suppress_contact(session: Session, contact_hash: str, channel: str, reason: str) -> None:
    if session.get(SuppressedContact, contact_hash) is None:
        session.add(SuppressedContact(contact_hash=contact_hash, channel=channel, reason=reason[:64]))
        session.flush()
