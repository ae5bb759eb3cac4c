"""The base class of pipeline tasks: which errors are transient, and what a final
failure records.

Transient: the database or broker is briefly unreachable. Everything else is a bug or
bad data and fails at once. A task that gives up marks its items failed with the
error's class name (never the patient's text), so nothing fails silently.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from sqlalchemy.exc import IntegrityError, OperationalError

from pipelines.failures import mark_failed
from workers import runtime

log = logging.getLogger(__name__)

# IntegrityError: a concurrent run inserted the same unique row first; running
# again finds it and skips.
TRANSIENT_ERRORS = (OperationalError, IntegrityError, ConnectionError, TimeoutError)


class StageTask(Task):
    abstract = True
    autoretry_for = TRANSIENT_ERRORS
    max_retries = 8
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    acks_late = True
    reject_on_worker_lost = True

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        feedback_ids = args[0] if args else kwargs.get("feedback_ids", [])
        log.error("task %s gave up on %d items: %s", self.name, len(feedback_ids), type(exc).__name__)
        try:
            with runtime.task_session() as session:
                mark_failed(session, list(feedback_ids), f"{self.name}: {type(exc).__name__}")
        except Exception:
            log.exception("could not record the failure of task %s", task_id)
