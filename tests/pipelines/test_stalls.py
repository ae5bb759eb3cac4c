"""The stall sweep's query: which items went silent for longer than their lane allows, from
which stage each starts again, and that a restart pushes the next one back."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.channels import AudioClip
from models.db import session_scope
from models.settings import load_settings
from models.tables import Alert, Analysis, Feedback, OutboxEntry, UrgencyDecision, utcnow
from pipelines.stalls import STALLED_AFTER, claim_stalled, mark_restarted
from schedules.beat import beat_schedule

CRY = "my father in bed 4 can't breathe and nobody comes"
CALM = "the parking was expensive"


def _item(
    session: Session,
    name: str,
    text: str,
    published_ago: float,
    status: str = "received",
    attempts: int = 0,
    analyzed_ago: float | None = None,
    decided: tuple[str, float] | None = None,
    failure_reason: str | None = None,
) -> None:
    """An item published `published_ago` seconds ago, analyzed and scored as asked."""
    now = utcnow()

    def ago(seconds: float) -> datetime:
        return now - timedelta(seconds=seconds)

    session.add(
        Feedback(
            id=name,
            channel="kiosk",
            text=text,
            status=status,
            failure_reason=failure_reason,
            received_at=ago(published_ago),
        )
    )
    session.flush()
    session.add(
        OutboxEntry(
            feedback_id=name,
            created_at=ago(published_ago),
            published_at=ago(published_ago),
            attempts=attempts,
        )
    )
    if analyzed_ago is not None:
        session.add(
            Analysis(
                feedback_id=name,
                analyzer="local",
                sentiment_label="negative",
                sentiment_score=-0.5,
                created_at=ago(analyzed_ago),
            )
        )
    if decided is not None:
        level, decided_ago = decided
        session.add(
            UrgencyDecision(
                feedback_id=name,
                level=level,
                score=0.9,
                analyzer="local",
                model_version="rules",
                created_at=ago(decided_ago),
            )
        )


def test_silent_items_restart_in_their_lane_from_where_they_stopped(sessions: sessionmaker[Session]) -> None:
    day = 86400
    with session_scope(sessions) as session:
        _item(session, "cry-lost", CRY, 30)
        _item(session, "cry-queued", CRY, 5)
        _item(session, "calm-queued", CALM, 30)
        _item(session, "calm-lost", CALM, 180)
        _item(session, "too-old", CRY, 2 * day)
        _item(session, "unscored", CALM, 600, "processing", analyzed_ago=150)
        _item(session, "just-analyzed", CRY, 600, "processing", analyzed_ago=5)
        _item(session, "unrouted", CALM, 60, "analyzed", analyzed_ago=59, decided=("critical", 58))
        _item(session, "scored-routine", CALM, 600, "analyzed", analyzed_ago=599, decided=("low", 598))
        _item(session, "routed", CRY, 60, "analyzed", analyzed_ago=59, decided=("critical", 58))
        _item(
            session,
            "dead-lettered",
            CRY,
            60,
            "analyzed",
            analyzed_ago=59,
            decided=("critical", 58),
            failure_reason="feedback.route: DataError",
        )
        _item(session, "failed", CRY, 600, "failed", failure_reason="feedback.transcribe: AudioRejected")
        _item(session, "restarted-once", CRY, 30, attempts=1)
        _item(session, "restarted-once-long-ago", CRY, 50, attempts=1)
        _item(session, "audio", CRY, 30)
        session.flush()
        session.add(AudioClip(feedback_id="audio", content_type="audio/webm", data=b"x"))
        session.add(
            Alert(
                feedback_id="routed", level="critical", channel="sms", recipient="on call", recipient_hash="h"
            )
        )
    with session_scope(sessions) as session:
        stalled = claim_stalled(session, utcnow(), limit=100)
        found = {item.entry.feedback_id: (item.urgent, item.stage) for item in stalled}
        mark_restarted(session, [item.entry.id for item in stalled], utcnow())

    assert found == {
        "cry-lost": (True, "feedback.analyze"),
        "calm-lost": (False, "feedback.analyze"),
        "unscored": (False, "feedback.score"),
        "unrouted": (True, "feedback.route"),  # its decision, not its words, puts it in the fast lane
        "restarted-once-long-ago": (True, "feedback.analyze"),
        "audio": (True, "feedback.transcribe"),
    }
    with session_scope(sessions) as session:
        assert claim_stalled(session, utcnow(), limit=100) == []  # each restart is claimed
        later = claim_stalled(session, utcnow() + timedelta(seconds=41), limit=100)
        # Restarted ones wait twice as long now; the urgent ones quiet since are due.
        assert {item.entry.feedback_id for item in later} == {
            "cry-lost",
            "unrouted",
            "audio",
            "cry-queued",
            "just-analyzed",
            "restarted-once",
        }


def test_the_sweep_runs_well_inside_the_urgent_lanes_silence() -> None:
    entry = beat_schedule(load_settings({}))["stages-sweep"]
    assert entry["task"] == "stages.sweep"
    assert entry["options"]["expires"] == entry["schedule"]  # a backlog never piles up sweeps
    assert timedelta(seconds=2 * entry["schedule"]) <= STALLED_AFTER[True]


def test_an_item_whose_lane_still_has_messages_waiting_is_left_for_now(
    sessions: sessionmaker[Session],
) -> None:
    with session_scope(sessions) as session:
        _item(session, "cry-lost", CRY, 30)
        _item(session, "calm-lost", CALM, 180)
    with session_scope(sessions) as session:
        stalled = claim_stalled(session, utcnow(), 100, waiting=lambda stage, urgent: not urgent)
    assert [(item.entry.feedback_id, item.stage) for item in stalled] == [("cry-lost", "feedback.analyze")]
