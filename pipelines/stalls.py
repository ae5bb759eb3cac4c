"""Stalled items: accepted feedback whose chain shows no progress for longer than its lane
allows, found in the database by age so that the relay can start it again where it stopped.

Why the database and not the broker: kombu's Redis transport hands a dead worker's
unacknowledged messages back only after the visibility timeout (an hour as deployed), and
a message popped by a worker SIGKILLed before it was recorded is never handed back at all.
Lowering the timeout would hand a live worker's long task (a transcription, a Gemini call
with its retries) to a second worker as well. Every item's progress is already in the
database (its outbox row's last publish, its analysis, its decision, its pages), so an item
silent for longer than a healthy stage ever takes lost its message, whatever the timeout.

Guards against doing the work twice:
- each stage is idempotent (one analysis, one decision and one alert per recipient, by
  unique keys; a page's send is claimed in its row), so a duplicate only costs a read;
- an item counts as stalled only after `STALLED_AFTER` of silence for its lane, far above
  what a stage takes while its message waits and runs; a live worker that is merely slow
  meets a duplicate that finds the work done;
- while the item's stage queue holds messages waiting in its lane (any priority for a
  routine item, priority 0 for an urgent one), its message may be one of them (no worker
  consumes yet, or a backlog): it is not restarted until that queue drains. A dead
  worker's messages are not waiting there: they sit in the unacknowledged set;
- a restart is claimed on the outbox row (its `published_at` becomes now, `attempts` one
  more, under FOR UPDATE SKIP LOCKED), and each further restart of the same item waits
  twice as long, so a deep routine backlog is never flooded with copies of itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select, union, update
from sqlalchemy.orm import Session

from models.channels import AudioClip
from models.tables import Alert, Analysis, Feedback, OutboxEntry, UrgencyDecision
from pipelines.urgency.rules import needs_fast_lane

URGENT_LEVELS = ("critical", "high")
# Silence after which an item is started again, by lane (urgent: True). An urgent item's
# stages run ahead of any backlog and take well under a second each; a routine one may
# wait behind a backlog for a while.
STALLED_AFTER = {True: timedelta(seconds=20), False: timedelta(minutes=2)}
MAX_DOUBLINGS = 6  # the n-th restart of an item waits 2**n times as long, up to 64 times
STALL_HORIZON = timedelta(days=1)  # how far back: covers a relay that was down for hours


@dataclass(frozen=True)
class Stalled:
    """An item to start again: its outbox row, its lane, and the first stage whose work is
    missing (`feedback.transcribe` for text too: it passes text straight through)."""

    entry: OutboxEntry
    urgent: bool
    stage: str


def _quiet(now: datetime) -> ColumnElement[bool]:
    """Published (or last restarted) at least the urgent lane's silence ago, doubled per
    earlier restart: the rows worth a closer look."""
    base = STALLED_AFTER[True]
    return or_(
        *(
            and_(
                OutboxEntry.attempts >= n if n == MAX_DOUBLINGS else OutboxEntry.attempts == n,
                OutboxEntry.published_at < now - base * 2**n,
            )
            for n in range(MAX_DOUBLINGS + 1)
        )
    )


def _candidates(now: datetime) -> ColumnElement[bool]:
    """Rows quiet for at least the urgent lane's silence: unfinished items, and urgent ones
    scored but without a single alert. Each half starts from an index holding only
    candidates (unfinished items; recent urgent decisions), never a day of traffic."""
    cutoff = now - STALLED_AFTER[True]
    unfinished = (
        select(OutboxEntry.id)
        .join(Feedback, Feedback.id == OutboxEntry.feedback_id)
        .where(
            Feedback.status.in_(("received", "processing")),
            Feedback.received_at.between(now - STALL_HORIZON, cutoff),
            OutboxEntry.published_at >= now - STALL_HORIZON,
        )
    )
    unrouted = (
        select(OutboxEntry.id)
        .join(UrgencyDecision, UrgencyDecision.feedback_id == OutboxEntry.feedback_id)
        .join(Feedback, Feedback.id == OutboxEntry.feedback_id)
        .where(
            UrgencyDecision.level.in_(URGENT_LEVELS),
            UrgencyDecision.created_at.between(now - STALL_HORIZON, cutoff),
            Feedback.status == "analyzed",
            Feedback.failure_reason.is_(None),  # its route gave up on it: a dead letter holds it
            ~exists().where(Alert.feedback_id == OutboxEntry.feedback_id),
        )
    )
    return OutboxEntry.id.in_(union(unfinished, unrouted).scalar_subquery())


def _nothing_waiting(stage: str, urgent: bool) -> bool:
    return False


def claim_stalled(
    session: Session,
    now: datetime,
    limit: int,
    waiting: Callable[[str, bool], bool] = _nothing_waiting,
) -> list[Stalled]:
    """Items silent past their lane's `STALLED_AFTER` (doubled per earlier restart), oldest
    first, their rows claimed for this caller until it commits (`mark_restarted`).
    `waiting(stage, urgent)`: whether that stage's queue holds messages waiting in the lane;
    such items are left for now."""
    rows = session.execute(
        select(
            OutboxEntry,
            Feedback.text,
            Feedback.language,
            Analysis.created_at,
            UrgencyDecision.created_at,
            UrgencyDecision.level,
            AudioClip.feedback_id.is_not(None) & AudioClip.transcribed_at.is_(None),
        )
        .join(Feedback, Feedback.id == OutboxEntry.feedback_id)
        .outerjoin(Analysis, Analysis.feedback_id == OutboxEntry.feedback_id)
        .outerjoin(UrgencyDecision, UrgencyDecision.feedback_id == OutboxEntry.feedback_id)
        .outerjoin(AudioClip, AudioClip.feedback_id == OutboxEntry.feedback_id)
        .where(_candidates(now), _quiet(now))
        .order_by(OutboxEntry.published_at)
        .limit(limit)
        .with_for_update(of=OutboxEntry, skip_locked=True)
    ).all()
    stalled = []
    for entry, text, language, analyzed_at, decided_at, level, untranscribed in rows:
        urgent = level in URGENT_LEVELS or needs_fast_lane(text, language)
        last_sign = max(moment for moment in (entry.published_at, analyzed_at, decided_at) if moment)
        if now - last_sign < STALLED_AFTER[urgent] * 2 ** min(entry.attempts, MAX_DOUBLINGS):
            continue
        if decided_at is not None:
            stage = "feedback.route"
        elif analyzed_at is not None:
            stage = "feedback.score"
        else:
            stage = "feedback.transcribe" if untranscribed else "feedback.analyze"
        if not waiting(stage, urgent):
            stalled.append(Stalled(entry, urgent, stage))
    return stalled


def mark_restarted(session: Session, entry_ids: list[int], now: datetime) -> None:
    """The restart's claim: the next one waits from now, and twice as long."""
    if entry_ids:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(entry_ids))
            .values(published_at=now, attempts=OutboxEntry.attempts + 1)
        )
