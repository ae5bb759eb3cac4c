"""A running system for end-to-end tests: ingest, worker and beat as real processes
on PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.conftest import REDIS_URL
from tests.support.http import call
from tests.support.json_logs import about, complete_json_lines
from tests.support.polling import wait_until
from tests.support.processes import Role, create_key_by_cli, ingest_role, role_env, running, wait_healthy

LAST_STAGE = "feedback.route"


def worker_ready(log: Path) -> bool:
    """Celery's "worker@host ready." line: it consumes from here on."""
    return any(
        record["logger"] == "celery.apps.worker" and record["message"].endswith(" ready.")
        for record in complete_json_lines(log)
    )


@dataclass
class System:
    base_url: str
    kiosk: str
    staff: str
    database_url: str
    worker_log: Path

    def feedback(self, feedback_id: str) -> dict[str, Any]:
        """The item as staff see it (GET /v1/feedback/{id})."""
        status, body = call("GET", f"{self.base_url}/v1/feedback/{feedback_id}", self.staff)
        assert status == 200, body
        return body

    def routed(self, feedback_id: str) -> bool:
        """The item's last stage has finished: it decided every alert the item gets."""
        return any(
            record.get("task_name") == LAST_STAGE
            and " succeeded " in record["message"]
            and about(record, feedback_id)
            for record in complete_json_lines(self.worker_log)
        )

    def when_routed(self, feedback_id: str, timeout: float = 30) -> dict[str, Any]:
        """The item in its final state, read once its last stage has finished: "no alert"
        is an outcome only then (before routing, every item has none)."""
        wait_until(
            lambda: self.routed(feedback_id), timeout, f"{LAST_STAGE} never finished {feedback_id}", 0.2
        )
        return self.feedback(feedback_id)


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
        # Each test's own deadlines start once the worker consumes (it may train its first model).
        wait_until(lambda: worker_ready(worker.log_path), 180, "the worker never became ready", 0.2)
        yield System(base_url, kiosk, staff, pg_url, worker.log_path)
