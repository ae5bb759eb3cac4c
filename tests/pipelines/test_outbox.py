"""The outbox relay's queries: only unpublished rows past the grace period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Alert, Feedback, OutboxEntry, UrgencyDecision, utcnow
from pipelines.outbox import claim_stalled, claim_unpublished, mark_published, split_fast_lane


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


def _published(
    session: Session, name: str, status: str, published_ago: timedelta, level: str | None = None
) -> None:
    """An item published `published_ago`, in `status`, scored `level` a minute after publishing."""
    now = utcnow()
    session.add(Feedback(id=name, channel="kiosk", text="x", status=status, received_at=now - published_ago))
    session.flush()
    session.add(
        OutboxEntry(feedback_id=name, created_at=now - published_ago, published_at=now - published_ago)
    )
    if level:
        session.add(
            UrgencyDecision(
                feedback_id=name,
                level=level,
                score=0.9,
                analyzer="local",
                model_version="rules",
                created_at=now - published_ago + timedelta(minutes=1),
            )
        )


def test_stalled_items_are_claimed_again_and_finished_ones_never(sessions: sessionmaker[Session]) -> None:
    hour = timedelta(hours=1)
    with session_scope(sessions) as session:
        _published(session, "lost", "received", 2 * hour)
        _published(session, "lost-mid-chain", "processing", 2 * hour)
        _published(session, "in-flight", "received", timedelta(minutes=10))
        _published(session, "too-old", "received", timedelta(days=2))
        _published(session, "done", "analyzed", 2 * hour, level="routine")
        _published(session, "unrouted", "analyzed", timedelta(minutes=5), level="critical")
        _published(session, "just-scored", "analyzed", timedelta(minutes=2), level="critical")
        _published(session, "routed", "analyzed", timedelta(minutes=5), level="high")
        session.flush()
        session.add(
            Alert(
                feedback_id="routed", level="high", channel="email", recipient="on call", recipient_hash="h"
            )
        )
    with session_scope(sessions) as session:
        claimed = claim_stalled(session, hour, limit=10)
        assert sorted(entry.feedback_id for entry in claimed) == ["lost", "lost-mid-chain", "unrouted"]
