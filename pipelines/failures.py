"""Recording that an item could not be processed, so nothing fails silently."""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from models.tables import Feedback

UNFINISHED = ("received", "processing")


def mark_failed(session: Session, feedback_ids: list[str], reason: str) -> None:
    """Mark unfinished items failed; an item already analyzed keeps its status."""
    if feedback_ids:
        session.execute(
            update(Feedback)
            .where(Feedback.id.in_(feedback_ids), Feedback.status.in_(UNFINISHED))
            .values(status="failed", failure_reason=reason[:500])
        )


def mark_poisoned(session: Session, feedback_id: str, reason: str) -> None:
    """One item a stage could not take: failed if unfinished; an analyzed item (its route
    failed) keeps its status and gets the reason, which keeps the stall sweep from
    restarting it (`pipelines.outbox`) until `carepulse replay` clears it."""
    session.execute(
        update(Feedback)
        .where(Feedback.id == feedback_id)
        .values(
            status=case((Feedback.status.in_(UNFINISHED), "failed"), else_=Feedback.status),
            failure_reason=reason[:500],
        )
    )
