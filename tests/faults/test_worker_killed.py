"""A worker of every queue SIGKILLed in the middle of the chain, with the production
visibility timeout (an hour: the broker hands the dead worker's messages back only long
after the test): once a new worker runs, every critical item is paged within a minute and
every routine one finishes within minutes, each exactly once (both channels through the
offline sender). The stall sweep (`stages.sweep`, pipelines/stalls.py) restarts what the
dead worker held, each item in its own lane and from the stage where it stopped; the
escalation check resends a page created but never sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from models.tables import Analysis, SentMessage
from tests.conftest import REDIS_URL
from tests.support.fault_system import ALL_QUEUES, PAGES, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until

ITEMS = 60  # every other one critical
PRODUCTION = {
    "CELERY_VISIBILITY_TIMEOUT": "3600",
    "ESCALATION_CHECK_SECONDS": "10",
    "PROVIDER_TIMEOUT_SECONDS": "10",
}
PAGED_WITHIN = 60.0  # seconds after the restart, for every critical item
SETTLED_WITHIN = 240.0  # seconds after the restart, for every item


@pytest.mark.timeout(420)
def test_worker_sigkill_mid_chain_pages_within_a_minute_and_loses_nothing(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis, record_fault: Callable[[FaultRow, str], None]
) -> None:
    with fault_system(fault_env(pg_url, REDIS_URL, tmp_path, **PRODUCTION)) as system:
        kiosk = system.kiosk()
        kiosk.post_many(ITEMS, critical_every=2)
        critical = kiosk.accepted[::2]
        worker = system.start(system.worker(ALL_QUEUES, concurrency=2))
        wait_until(lambda: system.count(Analysis) >= 5, 60, "the first worker never started analyzing")
        worker.kill()
        at_kill = system.count(SentMessage)
        assert at_kill < len(critical) * len(PAGES), (
            "every page went out before the kill; the test proves nothing"
        )

        restarted = time.monotonic()
        system.start(system.worker(ALL_QUEUES, concurrency=2))
        wait_until(
            lambda: system.stage_done("notify", critical) == len(critical) * len(PAGES),
            PAGED_WITHIN,
            "a critical item was not paged within a minute of the restart",
            interval=0.2,
        )
        paged_after = time.monotonic() - restarted
        outcome = system.wait_settled(kiosk, SETTLED_WITHIN)
        settled_after = time.monotonic() - restarted

    record_fault(
        outcome.row(
            f"SIGKILL all-queues worker mid-chain, visibility 1 h ({at_kill} pages sent; critical paged"
            f" {paged_after:.0f} s, all settled {settled_after:.0f} s after restart)"
        ),
        outcome.details(),
    )
    assert outcome.analyses == outcome.decisions == ITEMS
    assert outcome.sent == len(critical) * len(PAGES)
