"""Structured logs for every role: one JSON object per line, and the ids a line is about.

Ingest (under gunicorn), the Celery worker and beat, and the `carepulse` commands all log
through `configure_logging`: one JSON object per line with `timestamp` (ISO 8601, UTC),
`level`, `logger`, `message` and `process`, plus whatever the current unit of work bound
with `bind`, such as a Celery task's `task_name` and `task_id`.

A feedback's correlation id is its own id: ingest assigns it, and every task that works
on the item takes it as an argument, so grepping the id follows one item through every
process. A line about one item carries `correlation_id`, a line about a batch
`correlation_ids`. Log calls pass ids and counts, never the patient's text or contact
details.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# Libraries whose INFO lines say nothing an operator needs (Alembic lists its plugins).
QUIET_LOGGERS = ("alembic.runtime.plugins",)
# Each thread, and each Celery pool process, sees its own value.
_bound: ContextVar[Mapping[str, Any]] = ContextVar("log_fields", default=MappingProxyType({}))


def bind(**fields: Any) -> None:
    """Add fields to every line logged in this context until `clear`."""
    _bound.set(MappingProxyType({**_bound.get(), **fields}))


def clear() -> None:
    _bound.set(MappingProxyType({}))


def correlation(ids: Iterable[str]) -> dict[str, Any]:
    """`correlation_id` for one item, `correlation_ids` for several, nothing for none."""
    listed = list(ids)
    if len(listed) == 1:
        return {"correlation_id": listed[0]}
    return {"correlation_ids": listed} if listed else {}


class BoundFields(logging.Filter):
    """Copies the bound fields onto each record; a field passed in `extra` wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _bound.get().items():
            record.__dict__.setdefault(name, value)
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger with our field names, the timestamp first."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(process)d %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {"timestamp": log_data.pop("timestamp"), **log_data}


def configure_logging(
    level: int | str = logging.INFO, *filters: logging.Filter, stream: TextIO | None = None
) -> logging.Handler:
    """Make the root logger's only handler a JSON one on `stream` (standard error); Python
    warnings become log lines too. Calling it again replaces the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for log_filter in (BoundFields(), *filters):
        handler.addFilter(log_filter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for chatty in QUIET_LOGGERS:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return handler
