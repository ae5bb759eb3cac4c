"""Rewriting stored contact details under a new CAREPULSE_SECRET_KEY.

Run with the new key as CAREPULSE_SECRET_KEY and the old one in
CAREPULSE_PREVIOUS_SECRET_KEYS: every ciphertext is re-encrypted with the new key and
every lookup hash recomputed from the decrypted value. An opt-out keeps only a hash, so it
is re-hashed through the inbound message that recorded it (which keeps the number
encrypted); the few that cannot be mapped still match while the old key stays listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.channels import InboundMessage, OptOut, SuppressedMessage
from models.contacts import Keyring
from models.oncall import OnCallEntry
from models.reminders import Appointment, Reminder, SuppressedContact
from models.tables import Alert


@dataclass
class RotationReport:
    roster_entries: int = 0
    alerts: int = 0
    inbound_messages: int = 0
    opt_outs: int = 0
    suppressed_messages: int = 0
    opt_outs_unmapped: int = 0
    outreach_contacts: int = 0
    suppressed_contacts: int = 0


def _inbound(session: Session, keys: Keyring, report: RotationReport) -> dict[str, str]:
    """Re-key inbound messages; return old phone hash → new phone hash."""
    renamed: dict[str, str] = {}
    for message in session.scalars(select(InboundMessage).where(InboundMessage.phone_encrypted.is_not(None))):
        phone = keys.cipher.decrypt(message.phone_encrypted or "")
        new_hash = keys.hash("sms", phone)
        if message.phone_hash:
            renamed[message.phone_hash] = new_hash
        message.phone_hash, message.phone_encrypted = (
            new_hash,
            keys.cipher.rotate(message.phone_encrypted or ""),
        )
        report.inbound_messages += 1
    return renamed


def _opt_outs(session: Session, renamed: dict[str, str], report: RotationReport) -> None:
    """Move each opt-out to its new hash; where both exist, the later keyword wins."""
    rows = {row.phone_hash: row for row in session.scalars(select(OptOut))}
    for old_hash, row in list(rows.items()):
        new_hash = renamed.get(old_hash)
        if new_hash is None or new_hash == old_hash:
            report.opt_outs_unmapped += new_hash is None
            continue
        current = rows.get(new_hash)
        if current is None:
            session.add(
                OptOut(
                    phone_hash=new_hash,
                    opted_out=row.opted_out,
                    keyword=row.keyword,
                    updated_at=row.updated_at,
                )
            )
        elif current.updated_at < row.updated_at:
            current.opted_out, current.keyword, current.updated_at = (
                row.opted_out,
                row.keyword,
                row.updated_at,
            )
        session.delete(row)
        report.opt_outs += 1
    for suppressed in session.scalars(select(SuppressedMessage)):
        if suppressed.recipient_hash in renamed:
            suppressed.recipient_hash = renamed[suppressed.recipient_hash]
            report.suppressed_messages += 1


def _outreach(session: Session, keys: Keyring, report: RotationReport) -> dict[str, str]:
    """Re-key appointments and reminders; return old contact hash → new contact hash."""
    renamed: dict[str, str] = {}
    for table in (Appointment, Reminder):
        for row in session.scalars(select(table)):
            new_hash = keys.hash(row.channel, keys.cipher.decrypt(row.recipient_encrypted))
            renamed[row.recipient_hash] = new_hash
            row.recipient_hash, row.recipient_encrypted = (
                new_hash,
                keys.cipher.rotate(row.recipient_encrypted),
            )
            report.outreach_contacts += 1
    return renamed


def _suppressed_contacts(session: Session, renamed: dict[str, str], report: RotationReport) -> None:
    for row in session.scalars(select(SuppressedContact)):
        new_hash = renamed.get(row.contact_hash)
        if new_hash and new_hash != row.contact_hash:
            if session.get(SuppressedContact, new_hash) is None:
                session.add(SuppressedContact(contact_hash=new_hash, channel=row.channel, reason=row.reason))
            session.delete(row)
            report.suppressed_contacts += 1


def rotate_contacts(session: Session, keys: Keyring) -> RotationReport:
    """Re-encrypt and re-hash every stored contact detail with the current key."""
    report = RotationReport()
    for entry in session.scalars(select(OnCallEntry)):
        if entry.phone_encrypted:
            entry.phone_hash = keys.hash("sms", keys.cipher.decrypt(entry.phone_encrypted))
            entry.phone_encrypted = keys.cipher.rotate(entry.phone_encrypted)
        if entry.email_encrypted:
            entry.email_encrypted = keys.cipher.rotate(entry.email_encrypted)
        report.roster_entries += 1
    for alert in session.scalars(select(Alert).where(Alert.recipient_encrypted.is_not(None))):
        address = keys.cipher.decrypt(alert.recipient_encrypted or "")
        alert.recipient_hash = keys.hash(alert.channel, address)
        alert.recipient_encrypted = keys.cipher.rotate(alert.recipient_encrypted or "")
        report.alerts += 1
    outreach = _outreach(session, keys, report)
    _suppressed_contacts(session, outreach, report)
    _opt_outs(session, outreach | _inbound(session, keys, report), report)
    session.flush()
    return report
