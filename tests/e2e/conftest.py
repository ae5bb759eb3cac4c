"""A running system for end-to-end tests: ingest, worker and beat as real processes
on PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.conftest import REDIS_URL
from tests.support.processes import Role, create_key_by_cli, ingest_role, role_env, running, wait_healthy


@dataclass
class System:
    base_url: str
    kiosk: str
    staff: str
    database_url: str


@pytest.fixture
def system(pg_url: str, tmp_path: Path, redis_client: redis.Redis) -> Iterator[System]:
    env = role_env(pg_url, REDIS_URL, tmp_path)
    kiosk = create_key_by_cli(env, "kiosk", "e2e-kiosk")
    staff = create_key_by_cli(env, "staff", "e2e-staff", "--role", "staff")
    ingest, base_url = ingest_role(env, tmp_path)
    worker = Role(["worker", "--concurrency", "2"], env, tmp_path / "worker.log")
    beat = Role(["beat"], env, tmp_path / "beat.log")
    with running(ingest, worker, beat):
        wait_healthy(base_url)
        yield System(base_url, kiosk, staff, pg_url)
