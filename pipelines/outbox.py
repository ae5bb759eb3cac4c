"""The outbox: chain starts written with the feedback, published by ingest or the relay."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select, union, update
from sqlalchemy.orm import Session

from models.tables import Alert, Feedback, OutboxEntry, UrgencyDecision, utcnow
from pipelines.urgency.rules import needs_fast_lane

# A critical or high item is scored within seconds and routed at once: one scored this long
# ago with no alert row lost its route message (a backlog on notify only costs a repeat).
UNROUTED_AFTER = timedelta(minutes=2)
STALL_HORIZON = timedelta(days=1)  # how far back: covers a relay that was down for hours


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


def claim_stalled(session: Session, older_than: timedelta, limit: int) -> list[OutboxEntry]:
    """Rows published `older_than` ago (and within STALL_HORIZON) whose item shows no trace
    of its chain since: not yet analyzed and scored, or (already UNROUTED_AFTER, if sooner)
    urgent without a single alert.

    The broker can lose a published message: kombu's Redis transport pops a message, then
    records it as unacknowledged, and a worker SIGKILLed in between takes it along. Nothing
    else would start such an item again; the stages are idempotent, so publishing it once
    more is safe. `older_than` must exceed the broker's visibility timeout, after which it
    hands back what a dead worker had recorded. SKIP LOCKED as in `claim_unpublished`.

    Each half starts from an index that holds only candidates (items not yet analyzed;
    urgent decisions of the horizon), so a sweep reads a few rows, not a day of traffic.
    """
    now = utcnow()
    unrouted_after = min(older_than, UNROUTED_AFTER)
    unscored = (
        select(OutboxEntry.id)
        .join(Feedback, Feedback.id == OutboxEntry.feedback_id)
        .where(
            Feedback.status.in_(("received", "processing")),
            # Received before it was published: the index reads only items old enough to count.
            Feedback.received_at.between(now - STALL_HORIZON, now - older_than),
            OutboxEntry.published_at.between(now - STALL_HORIZON, now - older_than),
        )
    )
    unrouted = (
        select(OutboxEntry.id)
        .join(UrgencyDecision, UrgencyDecision.feedback_id == OutboxEntry.feedback_id)
        .join(Feedback, Feedback.id == OutboxEntry.feedback_id)
        .where(
            UrgencyDecision.level.in_(("critical", "high")),
            UrgencyDecision.created_at.between(now - STALL_HORIZON, now - unrouted_after),
            Feedback.status == "analyzed",
            OutboxEntry.published_at.between(now - STALL_HORIZON, now - unrouted_after),
            ~exists().where(Alert.feedback_id == OutboxEntry.feedback_id),
        )
    )
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.id.in_(union(unscored, unrouted).scalar_subquery()))
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
