"""One JSON object per log line, carrying the ids the current unit of work bound."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from datetime import datetime, timedelta

from models import log_context
from tests.support.json_logs import captured_json_logs

log = logging.getLogger("carepulse.test")


def test_a_line_is_one_json_object_with_the_agreed_fields() -> None:
    with captured_json_logs() as records:
        log.info("published %d items", 3, extra={"queue": "llm"})
    (record,) = records()
    assert list(record)[:5] == ["timestamp", "level", "logger", "process", "message"]
    assert record["level"] == "INFO" and record["logger"] == "carepulse.test"
    assert record["message"] == "published 3 items" and record["queue"] == "llm"
    assert record["process"] == os.getpid()
    stamp = datetime.fromisoformat(record["timestamp"])
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(stamp.tzinfo) - stamp) < timedelta(minutes=1)


def test_bound_ids_ride_on_every_line_until_cleared() -> None:
    with captured_json_logs() as records:
        log_context.bind(task_name="feedback.score", **log_context.correlation(["id-1"]))
        log.info("first")
        log.info("second", extra={"task_name": "given"})  # what a call passes wins
        log_context.clear()
        log.info("after")
    first, second, after = records()
    assert first["correlation_id"] == "id-1" and first["task_name"] == "feedback.score"
    assert second["correlation_id"] == "id-1" and second["task_name"] == "given"
    assert "correlation_id" not in after and "task_name" not in after


def test_a_batch_carries_a_list_of_ids() -> None:
    assert log_context.correlation(["a"]) == {"correlation_id": "a"}
    assert log_context.correlation(["a", "b"]) == {"correlation_ids": ["a", "b"]}
    assert log_context.correlation([]) == {}


def test_another_thread_does_not_see_what_this_one_bound() -> None:
    """gunicorn serves requests on threads: one request's id must not label another's lines."""
    with captured_json_logs() as records:
        log_context.bind(correlation_id="mine")
        thread = threading.Thread(target=log.info, args=("from another thread",))
        thread.start()
        thread.join()
    (record,) = records()
    assert "correlation_id" not in record


def test_exceptions_and_warnings_are_json_lines_too() -> None:
    with captured_json_logs() as records:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("step failed")
        warnings.warn("old setting", UserWarning, stacklevel=1)
    failure, warning = records()
    assert failure["level"] == "ERROR" and "ValueError: boom" in failure["exc_info"]
    assert warning["logger"] == "py.warnings" and "old setting" in warning["message"]
