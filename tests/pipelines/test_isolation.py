"""Which failures are one item's (dead-lettered alone) and which are the batch's (raised)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import OperationalError

from pipelines.isolation import isolate


class Poison(ValueError):
    """What one bad row raises (psycopg's DataError, SQLite's parser's ValueError)."""


class TimeLimit(Exception):
    """Stands for the worker's own signal, raised whichever item runs."""


def stage(
    bad: set[str], error: type[Exception] = Poison
) -> tuple[list[list[str]], Callable[[list[str]], list[str]]]:
    """A stage that fails any call holding a `bad` id, and the calls it was given."""
    calls: list[list[str]] = []

    def run(ids: list[str]) -> list[str]:
        calls.append(list(ids))
        if bad & set(ids):
            raise error("bad item")
        return [f"{fid}-done" for fid in ids]

    return calls, run


def test_a_healthy_batch_runs_once() -> None:
    calls, run = stage(set())
    outcome = isolate(["a", "b"], run)
    assert (outcome.done, outcome.poisoned, calls) == (["a-done", "b-done"], {}, [["a", "b"]])


def test_one_bad_item_fails_alone_and_the_others_go_on() -> None:
    calls, run = stage({"b"})
    outcome = isolate(["a", "b", "c"], run)
    assert outcome.done == ["a-done", "c-done"]
    assert outcome.poisoned == {"b": "Poison"}
    assert calls == [["a", "b", "c"], ["a"], ["b"], ["c"]]


def test_a_single_item_batch_is_not_run_twice() -> None:
    calls, run = stage({"a"})
    assert isolate(["a"], run).poisoned == {"a": "Poison"} and calls == [["a"]]


def test_when_every_item_fails_alone_the_batch_fails() -> None:
    _, run = stage({"a", "b"})
    with pytest.raises(Poison):
        isolate(["a", "b"], run)


@pytest.mark.parametrize("error", [OperationalError, ConnectionError, TimeLimit])
def test_transient_errors_and_the_runners_own_fail_the_batch_at_once(error: type[Exception]) -> None:
    def run(ids: list[str]) -> list[str]:
        raise error("SELECT 1", {}, Exception("gone")) if error is OperationalError else error("gone")

    with pytest.raises(error):
        isolate(["a", "b"], run, not_poison=(TimeLimit,))
