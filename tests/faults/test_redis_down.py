"""Redis stopped while kiosks post: every POST still gets 202 and every item is
processed once Redis is back (the outbox relay publishes what ingest could not)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from carepulse.private_redis import free_port, start_redis
from models.tables import Feedback, OutboxEntry
from tests.support.fault_system import ALL_QUEUES, BROKER_OUTAGE, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.http import call
from tests.support.polling import wait_until

BEFORE, DURING = 5, 30


def test_broker_down_at_ingest_loses_nothing(
    pg_url: str, tmp_path: Path, record_fault: Callable[[FaultRow, str], None]
) -> None:
    data_dir, port = tmp_path / "redis", free_port()
    redis_process, redis_url = start_redis(data_dir, port)
    unpublished = OutboxEntry.published_at.is_(None)
    try:
        with fault_system(fault_env(pg_url, redis_url, tmp_path, **BROKER_OUTAGE)) as system:
            system.start(system.worker(ALL_QUEUES, concurrency=2), restart=True)  # as deployed
            kiosk = system.kiosk()
            kiosk.post_many(BEFORE)
            wait_until(
                lambda: system.settled(kiosk.accepted), 60, "items before the outage were not processed"
            )

            redis_process.send_signal(signal.SIGTERM)
            redis_process.wait(timeout=20)
            assert call("GET", f"{system.base_url}/readyz")[0] == 503
            kiosk.post_many(DURING)
            assert system.count(Feedback) == BEFORE + DURING
            assert system.count(OutboxEntry, unpublished) == DURING

            redis_process, _ = start_redis(data_dir, port)
            outcome = system.wait_settled(kiosk, 120)
            record_fault(outcome.row("broker down at ingest"), outcome.details())
            assert system.count(OutboxEntry, unpublished) == 0
    finally:
        redis_process.terminate()
        redis_process.wait(timeout=20)

    assert outcome.analyses == outcome.decisions == BEFORE + DURING
