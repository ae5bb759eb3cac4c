"""The outbox relay's queries: only unpublished rows past the grace period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Feedback, OutboxEntry, utcnow
from pipelines.outbox import claim_unpublished, mark_published, split_fast_lane


def test_claims_old_unpublished_rows_and_marks_them(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        for n, age in enumerate((60, 60, 0)):
            session.add(Feedback(id=f"f{n}", channel="kiosk", text="x"))
            session.flush()
            session.add(OutboxEntry(feedback_id=f"f{n}", created_at=utcnow() - timedelta(seconds=age)))
    with session_scope(sessions) as session:
        claimed = claim_unpublished(session, timedelta(seconds=10), limit=10)
        assert [entry.feedback_id for entry in claimed] == ["f0", "f1"]
        mark_published(session, [claimed[0].id])
    with session_scope(sessions) as session:
        assert [entry.feedback_id for entry in claim_unpublished(session, timedelta(seconds=10), 10)] == [
            "f1"
        ]


def test_red_flagged_rows_are_split_into_the_fast_lane(sessions: sessionmaker[Session]) -> None:
    texts = {
        "calm": "the parking was expensive",
        "help": "my mother collapsed and is not breathing",
        "none": None,
    }
    with session_scope(sessions) as session:
        for name, text in texts.items():
            session.add(Feedback(id=name, channel="kiosk", text=text, rating=None if text else 3))
            session.flush()
            session.add(OutboxEntry(feedback_id=name, created_at=utcnow() - timedelta(seconds=60)))
    with session_scope(sessions) as session:
        urgent, routine = split_fast_lane(session, claim_unpublished(session, timedelta(seconds=10), 10))
        assert [e.feedback_id for e in urgent] == ["help"]
        assert [e.feedback_id for e in routine] == ["calm", "none"]
