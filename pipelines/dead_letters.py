"""Dead letters: a task that gave up for good (its retries exhausted, or an error no retry
can fix) is written down with its name, arguments, error class and retry count, so that
nothing fails silently and `carepulse replay` can run it again once the cause is fixed.

Replaying must redo the work, not find it "done" and skip it:

- the items of a feedback stage that were marked `failed` go back to `received` (with no
  failure reason), as if new: every stage takes them up again, and a second failure
  marks them failed anew; an analyzed item that only its route could not take loses its
  failure reason;
- pages the route stage gave up on (`failed`) are reopened so the replayed route sends
  them. A page that was attempted is reopened as an unrecorded attempt (`sending`, with
  its last claim time): delivery first asks the provider whether it went out
  (`Sender.find_sent`) and sends only if it did not. A page `sent`, `suppressed`, or
  queued for (or sent in) a digest is left alone: a replay never pages anyone twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.dead_letters import DeadLetter
from models.tables import Alert, Feedback
from pipelines.analysis.llm_ledger import insert_ignoring_duplicates

FEEDBACK_STAGE_PREFIX = "feedback."  # every stage of the feedback chain takes a list of ids first
ROUTE_STAGE = "feedback.route"
ERROR_NAME_LENGTH = 128


@dataclass(frozen=True)
class GaveUp:
    """What a task that gave up leaves behind: ids and names, never patient text."""

    task_id: str
    task_name: str
    args: list[Any]
    kwargs: dict[str, Any]
    error: str  # the exception's class name: messages can quote SQL parameters
    retries: int
    priority: int | None = None


def record_dead_letter(session: Session, gave_up: GaveUp, now: datetime) -> None:
    """One row per task id: a redelivered failure of the same task adds none."""
    insert_ignoring_duplicates(
        session,
        DeadLetter,
        [
            {
                "task_id": gave_up.task_id,
                "task_name": gave_up.task_name,
                "args": list(gave_up.args),
                "kwargs": dict(gave_up.kwargs),
                "error": gave_up.error[:ERROR_NAME_LENGTH],
                "retries": gave_up.retries,
                "priority": gave_up.priority,
                "failed_at": now,
                "replays": 0,
            }
        ],
    )


def open_dead_letters(session: Session, task_name: str | None = None) -> list[DeadLetter]:
    """Dead letters not replayed yet, oldest first, optionally of one task."""
    query = select(DeadLetter).where(DeadLetter.replayed_at.is_(None))
    if task_name is not None:
        query = query.where(DeadLetter.task_name == task_name)
    return list(session.scalars(query.order_by(DeadLetter.failed_at, DeadLetter.id)))


def item_ids(letter: DeadLetter) -> list[str]:
    """The feedback ids a stage task was working on; beat tasks have none."""
    if (
        letter.task_name.startswith(FEEDBACK_STAGE_PREFIX)
        and letter.args
        and isinstance(letter.args[0], list)
    ):
        return [str(feedback_id) for feedback_id in letter.args[0]]
    return []


def reopen(session: Session, letter: DeadLetter) -> None:
    """Make the letter's work due again (see the module docstring). Commit this before the
    replay is published, or a fast worker could finish the item and then be overwritten."""
    feedback_ids = item_ids(letter)
    if not feedback_ids:
        return
    session.execute(
        update(Feedback)
        .where(Feedback.id.in_(feedback_ids), Feedback.status == "failed")
        .values(status="received", failure_reason=None)
    )
    if letter.task_name == ROUTE_STAGE:
        # An analyzed item its route could not take keeps the reason until replayed
        # (`pipelines.failures.mark_poisoned`); cleared, the stall sweep watches it again.
        session.execute(
            update(Feedback)
            .where(Feedback.id.in_(feedback_ids), Feedback.status == "analyzed")
            .values(failure_reason=None)
        )
        reopen_pages(session, feedback_ids)


def reopen_pages(session: Session, feedback_ids: list[str]) -> int:
    """Given-up pages of these items become due again; returns how many."""
    pages = session.scalars(
        select(Alert).where(Alert.feedback_id.in_(feedback_ids), Alert.status == "failed")
    ).all()
    for page in pages:
        # An attempted page may have reached the provider unrecorded: `sending` with its old
        # claim makes delivery look it up before sending again (pipelines.alert_delivery).
        page.status = "sending" if page.claimed_at is not None else "pending"
    return len(pages)


def mark_replayed(session: Session, letter_id: int, now: datetime) -> None:
    session.execute(
        update(DeadLetter)
        .where(DeadLetter.id == letter_id)
        .values(replayed_at=now, replays=DeadLetter.replays + 1)
    )
