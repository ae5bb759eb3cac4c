"""Waiting on a condition with a deadline, instead of sleeping a guessed time.

The condition is the FINAL STATE (tests/conftest.py): the work that decides what the test
asserts has finished, not merely a state the assertion happens to accept on the way."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float, message: str, interval: float = 0.05) -> T:
    """Return the first truthy value of `condition()`, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T = condition()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s: {message}")
        time.sleep(interval)
        last = condition()
    return last
