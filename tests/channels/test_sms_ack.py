"""`ACK <code>` replies to a page: the paged phone takes the item, the change is audited,
escalation stops; any other phone, or a wrong code, changes nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.oncall import Escalation
from models.tables import AuditEntry, Feedback, SentMessage, utcnow
from pipelines.clients.messaging import OfflineSender
from pipelines.escalation import escalate_due
from pipelines.oncall import NewEntry
from tests.channels.conftest import make_client, post_signed
from tests.support.alerting import KEYS, SECRET, policy, roster, route_and_deliver, scored_item

NURSE = "+15550100001"
STRANGER = "+15550100999"


def paged_item(sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    people = roster()
    with session_scope(sessions) as session:
        people.add(session, NewEntry("Nurse A", phone=NURSE, department="ward-3"))
        people.add(session, NewEntry("Doctor B", phone="+15550100002", department="ward-3", tier=2))
    feedback_id = scored_item(sessions)
    route_and_deliver(sessions, [feedback_id], OfflineSender(KEYS), people)
    with sessions() as session:
        code = session.scalar(select(Escalation.ack_code).where(Escalation.feedback_id == feedback_id))
        page = session.scalar(select(SentMessage.body).where(SentMessage.channel == "sms"))
    return people, feedback_id, code, page


def reply(client, body: str, phone: str, sid: str) -> str:  # type: ignore[no-untyped-def]
    form = {"MessageSid": sid, "From": phone, "To": "+15550009999", "Body": body}
    response = post_signed(client, "/v1/twilio/sms", form)
    assert response.status_code == 200
    return ET.fromstring(response.text).findtext("Message") or ""


def test_the_paged_phone_acknowledges_and_escalation_stops(sessions: sessionmaker[Session]) -> None:
    people, feedback_id, code, page = paged_item(sessions)
    assert f"ACK {code}" in page
    client = make_client(sessions, secret_key=SECRET)

    assert "acknowledged" in reply(client, f"ack {code.lower()}", "+1 555 010 0001", "SM" + "1" * 32)
    assert "already" in reply(client, f"ACK {code}", NURSE, "SM" + "2" * 32)
    with sessions() as session:
        item = session.get(Feedback, feedback_id)
        case = session.scalar(select(Escalation).where(Escalation.feedback_id == feedback_id))
        audit = session.scalars(select(AuditEntry).where(AuditEntry.target == feedback_id)).all()
    assert item.triage_state == "acknowledged" and item.acknowledged_at is not None
    assert case.next_at is None
    assert [(a.actor, a.details["triage_state"]) for a in audit] == [("sms: Nurse A", "acknowledged")]
    assert item.text == "…"  # the reply did not become feedback
    with session_scope(sessions) as session:
        later = escalate_due(session, people, policy(), utcnow() + timedelta(hours=1))
    assert later == []


def test_a_stranger_or_a_wrong_code_changes_nothing(sessions: sessionmaker[Session]) -> None:
    _, feedback_id, code, _ = paged_item(sessions)
    client = make_client(sessions, secret_key=SECRET)
    assert "does not match" in reply(client, f"ACK {code}", STRANGER, "SM" + "3" * 32)
    assert "does not match" in reply(client, "ACK ZZZZZ", NURSE, "SM" + "4" * 32)
    with sessions() as session:
        item = session.get(Feedback, feedback_id)
        audit = session.scalars(select(AuditEntry)).all()
        feedback_count = len(session.scalars(select(Feedback.id)).all())
    assert item.triage_state == "new" and item.acknowledged_at is None
    assert audit == [] and feedback_count == 1
