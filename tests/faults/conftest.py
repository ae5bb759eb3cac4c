"""The fault suite's shared fixtures and its results table, printed after the run.

Every fault test records one row (`record_fault`) and fails unless nothing accepted was
lost, nothing was sent twice, and every accepted item ended in a terminal state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from _pytest.terminal import TerminalReporter
from sqlalchemy import Engine

from tests.conftest import REDIS_URL, _drop_pg_schema, _new_pg_database
from tests.support.fault_table import TABLE, FaultRow


@pytest.fixture(scope="session")
def trained_model_dir(urgency_model_dir: Path) -> Path:
    """The bootstrap urgency model, trained once for the whole run (tests/conftest.py):
    every case's workers load it instead of training the same deterministic model again."""
    return urgency_model_dir


@pytest.fixture(scope="module", autouse=True)
def _shared_model_dir(trained_model_dir: Path) -> Iterator[None]:
    # Roles inherit the test process's environment (tests.support.processes.role_env);
    # module scope, so that systems shared by a module's cases get it too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("URGENCY_MODEL_DIR", str(trained_model_dir))
        yield


@pytest.fixture(scope="module")
def module_pg_url(pg_admin: Engine) -> Iterator[str]:
    """A migrated PostgreSQL schema for a system that a module's cases share."""
    url = _new_pg_database(pg_admin)
    yield url
    _drop_pg_schema(pg_admin, url)


@pytest.fixture(scope="module")
def module_redis() -> Iterator[str]:
    """The test Redis, flushed before and after a module's shared system; its URL."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def record_fault() -> Callable[[FaultRow, str], None]:
    """Add the case's row to the table, then assert: 0 lost, 0 duplicates, all terminal."""

    def record(row: FaultRow, details: str = "") -> None:
        TABLE.record(row)
        assert row.lost == 0, f"{row.case}: {row.lost} lost; {details}"
        assert row.duplicates == 0, f"{row.case}: {row.duplicates} duplicates; {details}"
        assert row.completed == row.accepted, f"{row.case}: not every item terminal; {details}"

    return record


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if not TABLE.rows:
        return
    terminalreporter.section("fault suite")
    for line in TABLE.render():
        terminalreporter.write_line(line)
