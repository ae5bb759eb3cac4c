"""A worker of every queue SIGKILLed in the middle of the chain: after a restart every item
completes with exactly one analysis, one decision and one page per contact and channel
(both channels through the offline sender)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import redis

from models.tables import Analysis, SentMessage
from tests.conftest import REDIS_URL
from tests.support.fault_system import ALL_QUEUES, PAGES, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until

ITEMS = 100


def test_worker_sigkill_mid_chain_loses_and_duplicates_nothing(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis, record_fault: Callable[[FaultRow, str], None]
) -> None:
    with fault_system(fault_env(pg_url, REDIS_URL, tmp_path)) as system:
        kiosk = system.kiosk()
        kiosk.post_many(ITEMS, critical_every=1)
        worker = system.start(system.worker(ALL_QUEUES, concurrency=2))
        wait_until(lambda: system.count(Analysis) >= 5, 60, "the first worker never started analyzing")
        worker.kill()
        at_kill = system.count(SentMessage)
        assert at_kill < ITEMS * len(PAGES), "the chain finished before the kill; the test proves nothing"

        system.start(system.worker(ALL_QUEUES, concurrency=2))
        outcome = system.wait_settled(kiosk, 150)

    record_fault(
        outcome.row(f"SIGKILL all-queues worker mid-chain ({at_kill} pages sent)"), outcome.details()
    )
    assert outcome.analyses == outcome.decisions == ITEMS
    assert outcome.sent == ITEMS * len(PAGES)
