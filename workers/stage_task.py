"""The base classes of CarePulse tasks: which errors are transient, and what a final
failure records.

Every task that gives up for good (retries exhausted, or an error no retry can fix)
leaves a dead letter: its name, arguments, error class and retry count, for `carepulse
replay` (pipelines/dead_letters.py). Pipeline stages also mark their items failed with
the error's class name (never the patient's text), so nothing fails silently.

Transient: the database or broker is briefly unreachable. Everything else is a bug or
bad data and fails at once. A stage that gives up because the broker is unreachable fails
nothing: its work is committed or rolled back, and the outbox relay publishes its items
again once the broker is back (`pipelines.outbox.claim_stalled`).

One bad item fails alone (`StageTask.each_item`): it gets a dead letter of its own, with
the stage's name, its id and the error's class, and the rest of the batch carries on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from kombu.exceptions import OperationalError as BrokerUnreachable
from sqlalchemy.orm import Session

from models.tables import utcnow
from pipelines.dead_letters import GaveUp, record_dead_letter
from pipelines.failures import mark_failed, mark_poisoned
from pipelines.isolation import TRANSIENT_ERRORS, in_savepoint, isolate
from workers import runtime

log = logging.getLogger(__name__)

R = TypeVar("R")
# The worker's own signals, whichever item was running: never one item's fault.
NOT_POISON: tuple[type[Exception], ...] = (SoftTimeLimitExceeded,)


class RecordedTask(Task):
    """Any task: giving up for good leaves one dead letter per task id."""

    abstract = True

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        self.record_dead_letter(exc, task_id, args, kwargs)

    def gave_up(self, error: str, task_id: str, args: Any, kwargs: Any) -> GaveUp:
        """This task's dead letter, in the lane it was delivered in."""
        delivery = self.request.delivery_info or {}
        return GaveUp(
            task_id=task_id,
            task_name=self.name,
            args=list(args or ()),
            kwargs=dict(kwargs or {}),
            error=error,
            retries=self.request.retries or 0,
            priority=delivery.get("priority"),
        )

    def record_dead_letter(self, exc: Exception, task_id: str, args: Any, kwargs: Any) -> None:
        gave_up = self.gave_up(type(exc).__name__, task_id, args, kwargs)
        try:
            with runtime.task_session() as session:
                record_dead_letter(session, gave_up, utcnow())
        except Exception as error:  # noqa: BLE001 - the failure is logged instead; never its text
            log.error(
                "could not record the dead letter of task %s (%s): %s",
                task_id,
                self.name,
                type(error).__name__,
            )


class StageTask(RecordedTask):
    abstract = True
    autoretry_for = TRANSIENT_ERRORS
    max_retries = runtime.settings().stage_max_retries
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    acks_late = True
    reject_on_worker_lost = True

    def each_item(
        self, session: Session, feedback_ids: list[str], stage: Callable[[Session, list[str]], list[R]]
    ) -> list[R]:
        """`stage` over the batch in `session`; an item that fails it alone is dead-lettered
        (in this session, so that SQLite's single writer never waits on itself) and the
        others' results are returned for the next stage."""
        outcome = isolate(feedback_ids, in_savepoint(session, stage), NOT_POISON)
        self.dead_letter_items(session, outcome.poisoned)
        return outcome.done

    def dead_letter_items(self, session: Session, poisoned: dict[str, str]) -> None:
        """One dead letter per bad item, named after this task and the item, so that a
        redelivered task records none twice; the item itself carries the reason."""
        for feedback_id, error in poisoned.items():
            log.error("task %s dead-lettered one item of its batch: %s", self.name, error)
            mark_poisoned(session, feedback_id, f"{self.name}: {error}")
            task_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.request.id}/{feedback_id}"))
            record_dead_letter(session, self.gave_up(error, task_id, [[feedback_id]], {}), utcnow())

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        feedback_ids = args[0] if args else kwargs.get("feedback_ids", [])
        if isinstance(exc, BrokerUnreachable):
            # Usually the next step's message, after the stage committed: failing the items
            # here would stop a cry for help over a broker restart.
            log.warning(
                "task %s left %d items to the outbox relay: the broker is unreachable",
                self.name,
                len(feedback_ids),
            )
            return
        log.error("task %s gave up on %d items: %s", self.name, len(feedback_ids), type(exc).__name__)
        try:
            with runtime.task_session() as session:
                mark_failed(session, list(feedback_ids), f"{self.name}: {type(exc).__name__}")
        except Exception:
            log.exception("could not record the failure of task %s", task_id)
        self.record_dead_letter(exc, task_id, args, kwargs)
