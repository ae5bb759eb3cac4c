"""Worker and beat logs as JSON lines (models.log_context), each naming its task and the
feedback ids the task works on.

Answering `setup_logging` keeps Celery from installing its own text handler. Inside a
task every line carries `task_name`, `task_id` and the correlation id(s) bound at
task_prerun from the task's first argument: the pipeline stages take their feedback ids
there. Beat's sweeps (alerts.escalate, reminders.dispatch, outbox.sweep, ...) take no
ids: their lines carry their task name and id, and count what they found. Celery's
"Task ... received" line is written by the main process, outside the task: its ids are
read from the message's argument repr instead.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from celery.apps.worker import install_worker_term_handler
from celery.signals import (
    celeryd_init,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_ready,
    worker_shutdown,
)
from celery.utils.log import get_multiprocessing_logger

from models import log_context
from workers.app import app

log = logging.getLogger(__name__)

FEEDBACK_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def feedback_ids(args: Any, kwargs: Any) -> list[str]:
    """The ids a pipeline task works on: its first argument, a list of feedback ids."""
    first = args[0] if args else (kwargs or {}).get("feedback_ids")
    if isinstance(first, list | tuple) and all(isinstance(item, str) for item in first):
        return list(first)
    return []


class CeleryTaskFields(logging.Filter):
    """Celery's own task lines (received, succeeded, failed, retry) pass a `data` dict: its
    task name, id and the ids in its argument repr become fields. The dict itself is
    dropped: it repeats the message, and for a failure the whole traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = record.__dict__.get("data")
        if not (record.name.startswith("celery") and isinstance(data, dict) and "id" in data):
            return True
        del record.__dict__["data"]
        record.__dict__.setdefault("task_name", data.get("name"))
        record.__dict__.setdefault("task_id", data["id"])
        if not {"correlation_id", "correlation_ids"} & record.__dict__.keys():
            found = FEEDBACK_ID.findall(str(data.get("args", "")))
            record.__dict__.update(log_context.correlation(found))
        return True


def _configure(level: int | str) -> None:
    # The real standard error: Celery may have redirected sys.stderr into the logs.
    handler = log_context.configure_logging(level, CeleryTaskFields(), stream=sys.__stderr__)
    pool_log = get_multiprocessing_logger()  # billiard's own logger does not propagate
    pool_log.handlers = [handler]
    pool_log.setLevel(logging.ERROR)  # as Celery's default: pool errors only


@celeryd_init.connect
def _json_from_the_start(options: dict[str, Any] | None = None, **_: object) -> None:
    """The worker logs (a superuser warning, worker_init receivers) before it sets up
    logging: be JSON from here on."""
    _configure((options or {}).get("loglevel") or logging.INFO)


@setup_logging.connect
def _json_logs(loglevel: int | str | None = None, **_: object) -> None:
    """Worker and beat: JSON on standard error, and what tasks print becomes log lines."""
    _configure(loglevel or logging.INFO)
    if app.conf.worker_redirect_stdouts:
        app.log.redirect_stdouts(app.conf.worker_redirect_stdouts_level)


@task_prerun.connect
def _bind_task(task_id: str, task: Any, args: Any = None, kwargs: Any = None, **_: object) -> None:
    log_context.clear()
    log_context.bind(
        task_name=task.name, task_id=task_id, **log_context.correlation(feedback_ids(args, kwargs))
    )


@task_postrun.connect
def _unbind_task(**_: object) -> None:
    log_context.clear()


@worker_ready.connect
def _no_console_notice(sender: Any, **_: object) -> None:
    """Celery's SIGTERM handler prints "worker: Warm shutdown" as plain text on standard
    output: reinstall it without the notice (`_log_stopped` says it in JSON)."""
    install_worker_term_handler(sender.controller, verbose=False)


@worker_shutdown.connect
def _log_stopped(**_: object) -> None:
    log.info("worker stopped")
