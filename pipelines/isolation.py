"""One bad item fails alone: a stage over a list of ids runs the batch, and only if that
raises runs each item on its own, so one row the database or the code cannot take (a
year-10000 timestamp, a string over its column) never holds back the others' pages.

Transient errors (the database or a provider briefly away, a concurrent run's duplicate)
are no item's fault: they propagate, and the whole batch is retried. Any other error is
the item's own; the caller dead-letters it with the error's class name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

K = TypeVar("K")  # an item's key: a feedback id, an alert id
R = TypeVar("R")

# IntegrityError: a concurrent run inserted the same unique row first; running again
# finds it and skips.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    IntegrityError,
    ConnectionError,
    TimeoutError,
)


@dataclass
class Isolated(Generic[K, R]):
    """What the stage returned for the items that passed, and each failed item's error class."""

    done: list[R] = field(default_factory=list)
    poisoned: dict[K, str] = field(default_factory=dict)


def isolate(
    keys: list[K], run: Callable[[list[K]], list[R]], not_poison: tuple[type[Exception], ...] = ()
) -> Isolated[K, R]:
    """`run` over the whole batch; if it fails, over each item alone.

    `run` must leave nothing behind when it raises (a savepoint, or its own transaction),
    so that running an item again after the batch failed is safe. When every item of a
    batch fails alone as well, the fault is not an item's (a bug, a dependency): the
    first error is raised for the whole batch, as without isolation. So are transient
    errors and `not_poison` (the runner's own, such as a task's time limit) at once."""
    try:
        return Isolated(done=run(keys))
    except TRANSIENT_ERRORS + not_poison:
        raise
    except Exception as exc:  # noqa: BLE001 - some item may be bad: find which, the rest go on
        if len(keys) == 1:
            return Isolated(poisoned={keys[0]: type(exc).__name__})
        log.warning("a batch of %d items failed (%s): running each alone", len(keys), type(exc).__name__)
    outcome: Isolated[K, R] = Isolated()
    errors: list[Exception] = []
    for key in keys:
        try:
            outcome.done += run([key])
        except TRANSIENT_ERRORS + not_poison:
            raise
        except Exception as exc:  # noqa: BLE001 - this item's own failure, recorded by the caller
            outcome.poisoned[key] = type(exc).__name__
            errors.append(exc)
    if len(errors) == len(keys):
        raise errors[0]
    return outcome


def in_savepoint(
    session: Session, stage: Callable[[Session, list[K]], list[R]]
) -> Callable[[list[K]], list[R]]:
    """`stage` bound to `session`, each call in a savepoint: a failed call is rolled back
    alone and leaves the session usable for the next (PostgreSQL refuses every statement
    of a transaction after an error until it rolls back)."""

    def run(keys: list[K]) -> list[R]:
        with session.begin_nested():
            return stage(session, keys)

    return run
