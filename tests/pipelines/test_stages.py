"""The chain's stages as plain functions over a real database: idempotent, and
passing ids that survive a JSON round trip (as they do through the broker)."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Alert, Analysis, Feedback, SentMessage, UrgencyDecision
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.stage import analyze_feedback
from pipelines.clients.messaging import OfflineSender
from pipelines.failures import mark_failed
from pipelines.urgency.stage import score_feedback
from tests.support.alerting import KEYS, hashed, route_and_deliver


def add_feedback(sessions: sessionmaker[Session], *texts: str) -> list[str]:
    with session_scope(sessions) as session:
        items = [Feedback(channel="kiosk", text=text, department="ward-3") for text in texts]
        session.add_all(items)
        session.flush()
        return [item.id for item in items]


def run_chain(sessions: sessionmaker[Session], ids: list[str]) -> list[int]:
    """What the three tasks do, each in its own transaction, ids through JSON."""
    with session_scope(sessions) as session:
        ids = json.loads(json.dumps(analyze_feedback(session, ids, LocalAnalyzer())))
    with session_scope(sessions) as session:
        ids = json.loads(json.dumps(score_feedback(session, ids)))
    return route_and_deliver(sessions, ids, OfflineSender(KEYS))[0]


def count(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_chain_scores_alerts_and_is_idempotent(sessions: sessionmaker[Session]) -> None:
    ids = add_feedback(
        sessions,
        "my father in bed 4 can't breathe and nobody comes",
        "The food was cold and the room was dirty, very disappointed",
        "Wonderful nurses, thank you so much",
    )
    first = run_chain(sessions, ids)
    second = run_chain(sessions, ids)

    assert first == second and len(first) == 2
    assert count(sessions, Analysis) == 3
    assert count(sessions, UrgencyDecision) == 3
    assert count(sessions, Alert) == 2
    assert count(sessions, SentMessage) == 2
    with sessions() as session:
        levels = dict(session.execute(select(UrgencyDecision.feedback_id, UrgencyDecision.level)).all())
        statuses = set(session.scalars(select(Feedback.status)))
        alerts = session.scalars(select(Alert)).all()
        messages = session.scalars(select(SentMessage)).all()
    assert levels[ids[0]] == "critical"
    assert levels[ids[2]] == "low"
    assert statuses == {"analyzed"}
    assert {(a.channel, a.recipient, a.status) for a in alerts} == {
        ("sms", "on-call", "sent"),
        ("email", "on-call", "sent"),
    }
    assert {(m.channel, m.recipient_hash) for m in messages} == set(
        hashed(("sms", "on-call-sms"), ("email", "on-call-email"))
    )
    for message in messages:
        assert "breathe" not in message.body  # no clinical detail in an alert
        assert f"/triage?item={ids[0]}" in message.body and "ward-3" in message.body


def test_unknown_ids_are_dropped(sessions: sessionmaker[Session]) -> None:
    (known,) = add_feedback(sessions, "fine")
    with session_scope(sessions) as session:
        assert analyze_feedback(session, [known, "no-such-id"], LocalAnalyzer()) == [known]


def test_failure_marks_unfinished_items_only(sessions: sessionmaker[Session]) -> None:
    done, stuck = add_feedback(sessions, "fine", "also fine")
    run_chain(sessions, [done])
    with session_scope(sessions) as session:
        mark_failed(session, [done, stuck], "feedback.analyze: TimeoutError")
    with sessions() as session:
        assert session.get(Feedback, done).status == "analyzed"
        failed = session.get(Feedback, stuck)
    assert failed.status == "failed" and failed.failure_reason == "feedback.analyze: TimeoutError"
