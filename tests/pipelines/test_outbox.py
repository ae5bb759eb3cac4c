"""The outbox relay's queries: only unpublished rows past the grace period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Feedback, OutboxEntry, utcnow
from pipelines.outbox import claim_unpublished, mark_published


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
