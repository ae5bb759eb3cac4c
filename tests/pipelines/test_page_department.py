"""A page carries only a sanitized, length-bounded department code: a department stored
before ingest checked it (header injection, patient details) never reaches an SMS or an
email verbatim (issue 19, item 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import SentMessage
from pipelines.clients.messaging import OfflineSender
from pipelines.departments import UNASSIGNED, page_department
from pipelines.digests import collect_digests, deliver_digest
from tests.support.alerting import KEYS, policy, route_and_deliver, scored_item

INJECTED = "ward-3\r\nBcc: attacker@evil.example\r\n\r\nJohn Smith DOB 1950"
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (INJECTED, "ward-3"),
        ("Urgences pédiatriques", "Urgences pédiatriques"),
        ("w" * 300, "w" * 64),
        ("\r\nBcc: x@evil.example", "Bcc"),
        ("<script>", UNASSIGNED),
        (None, UNASSIGNED),
        ("", UNASSIGNED),
    ],
)
def test_page_department_keeps_the_leading_code_only(stored: str | None, shown: str) -> None:
    assert page_department(stored) == shown


def _messages(sessions: sessionmaker[Session]) -> list[SentMessage]:
    with sessions() as session:
        return list(session.scalars(select(SentMessage)))


def test_a_critical_page_never_carries_the_stored_department_verbatim(
    sessions: sessionmaker[Session],
) -> None:
    item = scored_item(sessions, "critical", department=INJECTED)
    route_and_deliver(sessions, [item], OfflineSender(KEYS), now=T0)
    messages = _messages(sessions)
    assert sorted(message.channel for message in messages) == ["email", "sms"]
    for message in messages:
        for text in (message.subject or "", message.body):
            assert "\r" not in text and "Bcc" not in text and "John Smith" not in text
        assert "ward-3" in message.body
    email = next(message for message in messages if message.channel == "email")
    assert email.subject == "CarePulse: critical feedback in ward-3"


def test_a_digest_subject_carries_the_code_only(sessions: sessionmaker[Session]) -> None:
    item = scored_item(sessions, "high", department=INJECTED)
    route_and_deliver(sessions, [item], OfflineSender(KEYS), now=T0)
    with session_scope(sessions) as session:
        digest_ids = collect_digests(session, T0 + timedelta(hours=1))
    for digest_id in digest_ids:
        with session_scope(sessions) as session:
            deliver_digest(session, digest_id, OfflineSender(KEYS), policy(), T0 + timedelta(hours=1))
    [digest] = _messages(sessions)
    assert digest.subject == "CarePulse: 1 high-urgency feedback in ward-3"
    assert "John Smith" not in digest.body and "\r" not in digest.body
