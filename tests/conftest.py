"""Shared fixtures: real PostgreSQL and Redis, and the SQLite path.

PostgreSQL: TEST_DATABASE_URL (default: the local `test` database), each test run in a
schema of its own that is dropped afterwards. Redis: TEST_REDIS_URL (default: database
14 of the local server), flushed before the run.

Rule for waits (grep: FINAL STATE): a test that waits on running processes polls for the
FINAL STATE of what it checks (the stage that decides it has finished, e.g.
`System.when_routed` in tests/e2e), then asserts. Never assert an absence ("no alert",
`== []`, a count of 0) at a moment when the work that would create it may not have run:
such an assertion cannot fail. `tests.support.polling.wait_until` polls with a deadline;
no `time.sleep` as synchronization.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

PG_BASE = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

# Celery reads its configuration at import: point it at the test Redis first.
os.environ["REDIS_URL"] = REDIS_URL
# In-process apps publish each commit before answering, so a test never meets the
# late chain of another; the roles the suites start as processes get the production window.
os.environ.setdefault("PUBLISH_WINDOW_MS", "0")
os.environ.setdefault("CAREPULSE_VAR_DIR", tempfile.mkdtemp(prefix="carepulse-test-var-"))

import pytest  # noqa: E402
import redis  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from models.db import make_engine, make_session_factory  # noqa: E402
from models.migrate import upgrade  # noqa: E402


def pg_schema_url(schema: str) -> str:
    separator = "&" if "?" in PG_BASE else "?"
    return f"{PG_BASE}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    engine = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _new_pg_database(admin: Engine) -> str:
    schema = f"cp_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = pg_schema_url(schema)
    upgrade(url)
    return url


def _drop_pg_schema(admin: Engine, url: str) -> None:
    schema = url.rsplit("%3D", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _new_sqlite_database(directory: Path) -> str:
    url = f"sqlite:///{directory / 'carepulse.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, pg_admin: Engine) -> Iterator[str]:
    """A freshly migrated database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield _new_sqlite_database(tmp_path)
        return
    url = _new_pg_database(pg_admin)
    yield url
    _drop_pg_schema(pg_admin, url)


@pytest.fixture
def pg_url(pg_admin: Engine) -> Iterator[str]:
    """A freshly migrated PostgreSQL schema (for tests that need several processes)."""
    url = _new_pg_database(pg_admin)
    yield url
    _drop_pg_schema(pg_admin, url)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="session", autouse=True)
def urgency_model_dir(request: pytest.FixtureRequest) -> Path:
    """The bootstrap urgency model, trained once per code and corpus version and kept in
    pytest's cache: every process a test starts (workers, `carepulse dev`, migrations)
    loads it instead of spending its start-up training the same deterministic model."""
    from pipelines.training.retrain import train_bootstrap

    directory = Path(request.config.cache.mkdir("urgency-models"))
    os.environ.setdefault("URGENCY_MODEL_DIR", str(directory))
    train_bootstrap(Path(os.environ["URGENCY_MODEL_DIR"]))
    return directory
