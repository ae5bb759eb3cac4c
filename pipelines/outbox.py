"""The outbox: chain starts written with the feedback, published by ingest or the relay.
A published chain that stalls is started again by `pipelines.stalls`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.tables import Feedback, OutboxEntry, utcnow
from pipelines.urgency.rules import needs_fast_lane


def claim_unpublished(session: Session, older_than: timedelta, limit: int) -> list[OutboxEntry]:
    """Rows nobody published yet, oldest first.

    FOR UPDATE SKIP LOCKED lets two relays run at once without publishing the same row
    twice on PostgreSQL; SQLite's single writer lock gives the same guarantee.
    """
    cutoff: datetime = utcnow() - older_than
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.published_at.is_(None), OutboxEntry.created_at <= cutoff)
        .order_by(OutboxEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def mark_published(session: Session, entry_ids: list[int]) -> None:
    if entry_ids:
        session.execute(
            update(OutboxEntry).where(OutboxEntry.id.in_(entry_ids)).values(published_at=utcnow())
        )


def split_fast_lane(
    session: Session, entries: list[OutboxEntry]
) -> tuple[list[OutboxEntry], list[OutboxEntry]]:
    """(red-flagged, routine) entries, so that a cry for help held back by an outage still
    overtakes the backlog the relay is about to publish."""
    texts = dict(
        session.execute(
            select(Feedback.id, Feedback.text).where(
                Feedback.id.in_([entry.feedback_id for entry in entries])
            )
        ).all()
    )
    urgent = [entry for entry in entries if needs_fast_lane(texts.get(entry.feedback_id))]
    return urgent, [entry for entry in entries if entry not in urgent]
