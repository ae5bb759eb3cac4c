"""Rotating CAREPULSE_SECRET_KEY keeps every stored contact readable and findable: during
the rotation through the previous key, afterwards (once `rotate_contacts` has run) with
the new key alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.channels import InboundMessage
from models.contacts import Keyring
from models.db import session_scope
from models.oncall import Escalation
from models.reminders import Reminder, SuppressedContact
from models.tables import Alert, Feedback, utcnow
from pipelines.alerts import AlertPolicy, alert_message
from pipelines.clients.messaging import OfflineSender
from pipelines.escalation import case_for_sms_ack
from pipelines.key_rotation import rotate_contacts
from pipelines.oncall import NewEntry, Roster
from pipelines.optout import OptOutRegistry
from pipelines.reminders.consent import suppress_contact
from tests.support.alerting import KEYS, route_and_deliver, scored_item
from tests.support.outreach import appointment, book, plan_at
from tests.support.outreach import policy as outreach_policy

OLD = "old-secret-key-0123456789"
NEW = "new-secret-key-9876543210"
NURSE = ("+15550100001", "nurse@h.example")
PATIENT = "+15550199999"


def policy(keys: Keyring) -> AlertPolicy:
    return AlertPolicy(keys, "https://cp.example", timedelta(minutes=10))


def stored_under_the_old_key(sessions: sessionmaker[Session]) -> tuple[str, str]:
    old = Keyring(OLD)
    people = Roster(old, "+15550000000", "ops@h.example")
    with session_scope(sessions) as session:
        people.add(session, NewEntry("Nurse A", phone=NURSE[0], email=NURSE[1]))
        OptOutRegistry(old).record(session, PATIENT, "STOP")
        session.add(
            InboundMessage(
                provider_sid="SM" + "0" * 32,
                kind="sms",
                phone_hash=old.hash("sms", PATIENT),
                phone_encrypted=old.cipher.encrypt(PATIENT),
            )
        )
    feedback_id = scored_item(sessions)
    route_and_deliver(sessions, [feedback_id], OfflineSender(KEYS), people, alert_policy=policy(old))
    with sessions() as session:
        code = session.scalar(select(Escalation.ack_code).where(Escalation.feedback_id == feedback_id))
    return feedback_id, code


def readable(sessions: sessionmaker[Session], keys: Keyring, feedback_id: str, code: str) -> None:
    people = Roster(keys, "+15550000000", "ops@h.example")
    with sessions() as session:
        on_call = people.first_tiers(session, {"ward-3"}, utcnow())["ward-3"]
        assert {(r.channel, r.address) for r in on_call} == {("sms", NURSE[0]), ("email", NURSE[1])}
        assert OptOutRegistry(keys).is_opted_out(session, PATIENT)
        assert case_for_sms_ack(session, code, keys.hashes("sms", NURSE[0])) is not None
        message = session.scalar(select(InboundMessage))
        assert keys.cipher.decrypt(message.phone_encrypted) == PATIENT
        item = session.get(Feedback, feedback_id)
        pages = session.scalars(select(Alert).where(Alert.feedback_id == feedback_id)).all()
        assert {alert_message(a, item, code, policy(keys)).to for a in pages} == set(NURSE)


def test_rotation_keeps_every_contact_readable_and_findable(sessions: sessionmaker[Session]) -> None:
    feedback_id, code = stored_under_the_old_key(sessions)
    rotating = Keyring(NEW, (OLD,))
    readable(sessions, rotating, feedback_id, code)  # before the rewrite: through the old key

    with session_scope(sessions) as session:
        report = rotate_contacts(session, rotating)
    assert (report.roster_entries, report.alerts, report.inbound_messages, report.opt_outs) == (1, 2, 1, 1)
    assert report.opt_outs_unmapped == 0

    readable(sessions, Keyring(NEW), feedback_id, code)  # after it: the old key can go
    with session_scope(sessions) as session:
        again = rotate_contacts(session, Keyring(NEW))
    assert again.opt_outs == 0 and again.opt_outs_unmapped == 0  # running it twice is harmless
    readable(sessions, Keyring(NEW), feedback_id, code)


def test_a_start_after_the_rotation_outranks_an_older_stop(sessions: sessionmaker[Session]) -> None:
    stored_under_the_old_key(sessions)
    rotating = Keyring(NEW, (OLD,))
    with session_scope(sessions) as session:
        OptOutRegistry(rotating).record(session, PATIENT, "START")
    with sessions() as session:
        assert not OptOutRegistry(rotating).is_opted_out(session, PATIENT)
    with session_scope(sessions) as session:
        rotate_contacts(session, rotating)
    with sessions() as session:
        assert not OptOutRegistry(Keyring(NEW)).is_opted_out(session, PATIENT)


def test_reminder_contacts_stay_readable_and_suppressions_findable_after_rotation(
    sessions: sessionmaker[Session],
) -> None:
    now = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    before, after = outreach_policy(keys=Keyring(OLD)), outreach_policy(keys=Keyring(NEW))
    rows = [
        appointment(1, datetime(2026, 3, 9, 10, 0)),
        appointment(2, datetime(2026, 3, 9, 10, 0), channel="email"),
    ]
    book(sessions, rows, before, now)
    plan_at(sessions, before, now)
    with session_scope(sessions) as session:
        suppress_contact(session, Keyring(OLD).hash("email", rows[1].to), "email", "sendgrid bounce")
    with session_scope(sessions) as session:
        report = rotate_contacts(session, Keyring(NEW, (OLD,)))
    assert report.outreach_contacts == 4 and report.suppressed_contacts == 1
    with sessions() as session:
        for row in session.scalars(select(Reminder)):
            address = after.keys.cipher.decrypt(row.recipient_encrypted)  # the new key alone
            assert row.recipient_hash == after.keys.hash(row.channel, address)
        assert session.get(SuppressedContact, after.keys.hash("email", rows[1].to)) is not None
