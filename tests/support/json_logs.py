"""Reading the JSON log lines every role writes (models.log_context)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from models import log_context


def json_lines(text: str, source: str) -> list[dict[str, Any]]:
    """Each non-empty line as its JSON object; fail naming the first line that is not one."""
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"{source}:{number} is not a JSON line: {line[:200]!r}") from None
        assert isinstance(record, dict), f"{source}:{number} is JSON but not an object"
        records.append(record)
    return records


def about(record: dict[str, Any], feedback_id: str) -> bool:
    """The line names the item: alone, or among the items of a batch."""
    return record.get("correlation_id") == feedback_id or feedback_id in record.get("correlation_ids", ())


def complete_json_lines(path: Path) -> list[dict[str, Any]]:
    """The lines a running process has finished writing to `path` (not a half-written last one)."""
    text = path.read_text() if path.exists() else ""
    return json_lines(text[: text.rfind("\n") + 1], path.name)


@contextmanager
def captured_json_logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The root logger set up as every role sets it up, writing to a buffer, with nothing
    bound yet; yields a reader of the records so far. pytest's own handlers come back
    afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    buffer = io.StringIO()
    log_context.clear()  # an earlier test's request may have bound its ids in this thread
    log_context.configure_logging(logging.INFO, stream=buffer)
    try:
        yield lambda: json_lines(buffer.getvalue(), "log")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        logging.captureWarnings(False)
        log_context.clear()
