"""Recording that an item could not be processed, so nothing fails silently."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models.tables import Feedback


def mark_failed(session: Session, feedback_ids: list[str], reason: str) -> None:
    """Mark unfinished items failed; an item already analyzed keeps its status."""
    if feedback_ids:
        session.execute(
            update(Feedback)
            .where(Feedback.id.in_(feedback_ids), Feedback.status.in_(("received", "processing")))
            .values(status="failed", failure_reason=reason[:500])
        )
