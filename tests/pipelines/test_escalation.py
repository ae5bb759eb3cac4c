"""Critical pages escalate tier by tier on a controllable clock, stop once someone
acknowledges, and never page a recipient twice; high items wait for the hourly digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.triage import TriageIn, apply_triage
from models.db import session_scope
from models.oncall import AlertDigest, Escalation
from models.tables import Alert, SentMessage
from pipelines.alert_delivery import deliver_alerts
from pipelines.clients.messaging import OfflineSender
from pipelines.digests import collect_digests, deliver_digest
from pipelines.escalation import escalate_due
from pipelines.oncall import NewEntry
from tests.support.alerting import KEYS, LEASE, hashed, policy, roster, route_and_deliver
from tests.support.alerting import scored_item as scored

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # a Tuesday afternoon
POLICY = policy()


def scored_item(sessions: sessionmaker[Session], level: str, department: str = "ward-3") -> str:
    return scored(sessions, level, department, received_at=T0)


def chain(sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    people = roster(sms_to="+15550999", email_to="switchboard@h.example")
    with session_scope(sessions) as session:
        day = {"department": "ward-3", "starts": "08:00", "ends": "20:00"}
        people.add(session, NewEntry("Nurse A", phone="+15550001", email="a@h.example", **day))
        people.add(session, NewEntry("Doctor B", phone="+15550002", tier=2, **day))
        night = {"department": "ward-3", "starts": "20:00", "ends": "08:00"}
        people.add(session, NewEntry("Night nurse", phone="+15550003", **night))
        people.add(session, NewEntry("Duty manager", email="dm@h.example", tier=3))  # hospital-wide
    return people


def escalate(sessions: sessionmaker[Session], people, at: datetime) -> list[int]:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        ids = escalate_due(session, people, POLICY, at)
    deliver_alerts(sessions, ids, OfflineSender(KEYS), POLICY, LEASE, clock=lambda: at)
    return ids


def paged(sessions: sessionmaker[Session], feedback_id: str) -> list[tuple[int, str, str, str]]:
    with sessions() as session:
        alerts = session.scalars(select(Alert).where(Alert.feedback_id == feedback_id).order_by(Alert.id))
        return [(a.tier, a.recipient, a.channel, a.status) for a in alerts]


def test_unacknowledged_page_escalates_on_time_and_stops_when_acknowledged(
    sessions: sessionmaker[Session],
) -> None:
    people = chain(sessions)
    item = scored_item(sessions, "critical")
    route_and_deliver(sessions, [item], OfflineSender(KEYS), people, now=T0)
    assert paged(sessions, item) == [(1, "Nurse A", "sms", "sent"), (1, "Nurse A", "email", "sent")]

    assert escalate(sessions, people, T0 + timedelta(minutes=9, seconds=59)) == []
    assert len(escalate(sessions, people, T0 + timedelta(minutes=10))) == 1
    assert paged(sessions, item)[-1] == (2, "Doctor B", "sms", "sent")
    assert escalate(sessions, people, T0 + timedelta(minutes=15)) == []  # not due again yet

    with session_scope(sessions) as session:
        apply_triage(session, item, TriageIn(triage_state="acknowledged"), "head-nurse")
    assert escalate(sessions, people, T0 + timedelta(minutes=20)) == []
    assert escalate(sessions, people, T0 + timedelta(hours=3)) == []
    with sessions() as session:
        case = session.scalar(select(Escalation).where(Escalation.feedback_id == item))
        sent = session.execute(select(SentMessage.channel, SentMessage.recipient_hash)).all()
    assert case.next_at is None and case.tier == 2
    assert sorted(sent) == hashed(("email", "a@h.example"), ("sms", "+15550001"), ("sms", "+15550002"))
    # the night nurse is off shift


def test_one_batch_pages_each_department_its_own_first_tier(sessions: sessionmaker[Session]) -> None:
    people = chain(sessions)
    ward, er = scored_item(sessions, "critical"), scored_item(sessions, "critical", department="er")
    route_and_deliver(sessions, [ward, er], OfflineSender(KEYS), people, now=T0)
    assert paged(sessions, ward) == [(1, "Nurse A", "sms", "sent"), (1, "Nurse A", "email", "sent")]
    assert paged(sessions, er) == [(3, "Duty manager", "email", "sent")]  # no chain of its own


def test_exhausted_chain_pages_the_fallback_once(sessions: sessionmaker[Session]) -> None:
    people = chain(sessions)
    item = scored_item(sessions, "critical")
    route_and_deliver(sessions, [item], OfflineSender(KEYS), people, now=T0)
    for minutes in (10, 20, 30, 40, 50):
        escalate(sessions, people, T0 + timedelta(minutes=minutes))
    assert [(tier, name) for tier, name, *_ in paged(sessions, item)] == [
        (1, "Nurse A"),
        (1, "Nurse A"),
        (2, "Doctor B"),
        (3, "Duty manager"),
        (4, "on-call"),
        (4, "on-call"),
    ]
    with sessions() as session:
        case = session.scalar(select(Escalation).where(Escalation.feedback_id == item))
    assert case.exhausted_at == T0 + timedelta(minutes=30) and case.next_at is None


def test_rerunning_routing_and_escalation_pages_nobody_twice(sessions: sessionmaker[Session]) -> None:
    people = chain(sessions)
    item = scored_item(sessions, "critical")
    for _ in range(3):
        route_and_deliver(sessions, [item], OfflineSender(KEYS), people, now=T0)
    with session_scope(sessions) as session:
        first = escalate_due(session, people, POLICY, T0 + timedelta(minutes=10))
    deliver_alerts(sessions, first * 2, OfflineSender(KEYS), POLICY, LEASE, clock=lambda: T0)
    with sessions() as session:
        sent = session.execute(select(SentMessage.channel, SentMessage.recipient_hash)).all()
    assert sorted(sent) == hashed(("email", "a@h.example"), ("sms", "+15550001"), ("sms", "+15550002"))


def test_night_shift_is_paged_at_night(sessions: sessionmaker[Session]) -> None:
    people = chain(sessions)
    item = scored_item(sessions, "critical")
    route_and_deliver(sessions, [item], OfflineSender(KEYS), people, now=T0.replace(hour=23))
    assert [name for _, name, *_ in paged(sessions, item)] == ["Night nurse"]


def test_high_items_wait_for_one_hourly_digest_per_department(sessions: sessionmaker[Session]) -> None:
    people = chain(sessions)
    ward3 = [scored_item(sessions, "high") for _ in range(3)]
    elsewhere = scored_item(sessions, "high", department="radiology")
    route_and_deliver(sessions, [*ward3, elsewhere], OfflineSender(KEYS), people, now=T0)
    with sessions() as session:
        assert set(session.scalars(select(Alert.status))) == {"queued"}
        assert session.scalars(select(SentMessage)).all() == []

    for _ in range(2):  # an overlapping or repeated run sends nothing twice
        with session_scope(sessions) as session:
            digest_ids = collect_digests(session, T0 + timedelta(hours=1))
        for digest_id in digest_ids:
            with session_scope(sessions) as session:
                deliver_digest(session, digest_id, OfflineSender(KEYS), POLICY, T0 + timedelta(hours=1))
    with sessions() as session:
        digests = {d.department: (d.items, d.status) for d in session.scalars(select(AlertDigest))}
        mails = session.scalars(select(SentMessage).order_by(SentMessage.subject)).all()
        statuses = set(session.scalars(select(Alert.status)))
    assert digests == {"ward-3": (3, "sent"), "radiology": (1, "sent")}
    assert [(m.recipient_hash, m.subject) for m in mails] == [
        (KEYS.hash("email", "dm@h.example"), "CarePulse: 1 high-urgency feedback in radiology"),
        (KEYS.hash("email", "a@h.example"), "CarePulse: 3 high-urgency feedback in ward-3"),
    ]
    assert statuses == {"sent"}


def test_a_chain_starting_at_tier_two_escalates_past_it_and_high_items_always_have_a_reader(
    sessions: sessionmaker[Session],
) -> None:
    people = roster(sms_to="+15550999", email_to="switchboard@h.example")
    with session_scope(sessions) as session:
        people.add(session, NewEntry("Registrar", phone="+15550002", department="ward-3", tier=2))
        people.add(session, NewEntry("Consultant", phone="+15550003", department="ward-3", tier=3))
    critical, high = scored_item(sessions, "critical"), scored_item(sessions, "high")
    route_and_deliver(sessions, [critical, high], OfflineSender(KEYS), people, now=T0)
    escalate(sessions, people, T0 + timedelta(minutes=10))
    assert [(tier, name) for tier, name, *_ in paged(sessions, critical)] == [
        (2, "Registrar"),
        (3, "Consultant"),
    ]
    assert paged(sessions, high) == [
        (1, "on-call", "email", "queued")
    ]  # phones only on call: the fallback reads it
