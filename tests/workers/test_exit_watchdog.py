"""A worker whose shutdown wedges still ends. Here a pool child is frozen (SIGSTOP), so the
pool's join never returns; the worker exits once its grace, the time limit plus a margin
for running tasks, is up, and a restart policy can bring it back."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil

from tests.conftest import REDIS_URL
from tests.support.polling import wait_until
from tests.support.processes import Role, role_env
from workers.exit_watchdog import STOP_MARGIN_SECONDS

TIME_LIMIT = 4  # a second under the visibility timeout below


def test_a_worker_whose_shutdown_wedges_exits_after_its_grace(pg_url: str, tmp_path: Path) -> None:
    env = role_env(pg_url, REDIS_URL, tmp_path, CELERY_VISIBILITY_TIMEOUT=str(TIME_LIMIT + 1))
    log = tmp_path / "worker.log"
    worker = Role(["worker", "--queues", "training", "--concurrency", "1"], env, log).start()
    assert worker.process is not None
    try:
        wait_until(lambda: " ready." in log.read_text(), 60, "the worker never became ready")
        (child,) = psutil.Process(worker.process.pid).children()
        child.send_signal(signal.SIGSTOP)
        worker.process.send_signal(signal.SIGTERM)  # the main process only: a warm shutdown
        exitcode = worker.process.wait(timeout=TIME_LIMIT + STOP_MARGIN_SECONDS + 30)
    finally:
        os.killpg(worker.process.pid, signal.SIGKILL)  # the frozen child too
    grace = TIME_LIMIT + STOP_MARGIN_SECONDS
    assert f"worker still stopping after {grace:.0f} s: exiting with code 0" in log.read_text()
    assert exitcode == 0
