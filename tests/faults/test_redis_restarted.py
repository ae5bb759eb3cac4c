"""Redis SIGKILLed while a kiosk posts and the workers work, then restarted on the same
port and data directory: its append-only file brings the queues back (with the tasks the
workers held but had not acknowledged), ingest keeps answering 202 through the outbox
meanwhile, and every accepted item completes with each page sent once. The worker
reconnects by itself: no restart policy runs, and the same process finishes the work.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from carepulse.private_redis import free_port, start_redis
from models.tables import OutboxEntry
from tests.fakes.providers import fake_providers
from tests.support.fault_system import BROKER_OUTAGE, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until

ITEMS = 60
WARM_UP = 4  # processed before the load starts, so that workers are busy when Redis dies
BEFORE, DURING = 15, 15  # accepted after the warm-up before the kill, and while Redis is down
MARKER = "carepulse:fault-test:written-before-the-kill"


@pytest.mark.timeout(240)
def test_redis_killed_and_restarted_mid_load(
    pg_url: str, tmp_path: Path, record_fault: Callable[[FaultRow, str], None]
) -> None:
    data_dir, port = tmp_path / "redis", free_port()
    server, redis_url = start_redis(data_dir, port)
    try:
        with fake_providers() as providers:
            env = fault_env(pg_url, redis_url, tmp_path, providers, email_provider=False, **BROKER_OUTAGE)
            with fault_system(env, providers) as system:
                kiosk, worker = system.busy_kiosk(WARM_UP, restart=False)
                with kiosk.posting(ITEMS - WARM_UP):
                    kiosk.wait_accepted(WARM_UP + BEFORE)
                    redis.Redis.from_url(redis_url).set(MARKER, "1")
                    server.kill()  # SIGKILL: no shutdown save, only the append-only file
                    server.wait(timeout=10)
                    down_at = len(kiosk.accepted)
                    assert system.stage_done("scoring", kiosk.accepted) < down_at, "nothing was in flight"
                    wait_until(
                        lambda: len(kiosk.accepted) >= down_at + DURING,
                        60,
                        "ingest stopped accepting while Redis was down",
                    )
                    assert system.count(OutboxEntry, OutboxEntry.published_at.is_(None)), "ingest published"
                    server, _ = start_redis(data_dir, port)
                    assert redis.Redis.from_url(redis_url).get(MARKER) == b"1", "Redis came back empty"
                outcome = system.wait_settled(kiosk, 150)
                survived = worker.process is not None and worker.process.poll() is None
    finally:
        server.kill()
        server.wait(timeout=10)

    record_fault(outcome.row("Redis SIGKILL + restart (AOF), worker kept"), outcome.details())
    assert survived, "the worker exited instead of reconnecting (see its log)"
    assert kiosk.refused == {} and outcome.accepted == ITEMS
    assert outcome.analyses == outcome.decisions == ITEMS
