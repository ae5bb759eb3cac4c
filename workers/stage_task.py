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
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError as BrokerUnreachable
from sqlalchemy.exc import IntegrityError, OperationalError

from models.tables import utcnow
from pipelines.dead_letters import GaveUp, record_dead_letter
from pipelines.failures import mark_failed
from workers import runtime

log = logging.getLogger(__name__)

# IntegrityError: a concurrent run inserted the same unique row first; running
# again finds it and skips.
TRANSIENT_ERRORS = (OperationalError, IntegrityError, ConnectionError, TimeoutError)


class RecordedTask(Task):
    """Any task: giving up for good leaves one dead letter per task id."""

    abstract = True

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        self.record_dead_letter(exc, task_id, args, kwargs)

    def record_dead_letter(self, exc: Exception, task_id: str, args: Any, kwargs: Any) -> None:
        delivery = self.request.delivery_info or {}
        gave_up = GaveUp(
            task_id=task_id,
            task_name=self.name,
            args=list(args or ()),
            kwargs=dict(kwargs or {}),
            error=type(exc).__name__,
            retries=self.request.retries or 0,
            priority=delivery.get("priority"),
        )
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
