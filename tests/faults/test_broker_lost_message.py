"""Messages the broker lost: a worker SIGKILLed right after its BRPOP took a message off
the queue, before kombu recorded it as unacknowledged, leaves nothing for the broker to
hand back (kombu's Redis transport pops, then records). The case takes the messages off
the queue itself, as such a worker would, so the loss is certain rather than a matter of
timing: the first stage's (the item never starts) or the notify stage's (a critical item
is scored but nobody is paged). The stall sweep (`stages.sweep`) restarts every such item
from the stage where it stopped once it has been silent for its lane's limit (20 s for
these critical items), whatever the visibility timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from tests.conftest import REDIS_URL
from tests.support.broker import take_queued
from tests.support.fault_system import ALL_QUEUES, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until

ITEMS, LOST = 10, 3


@pytest.mark.parametrize(
    ("queue", "task", "upstream"),
    [("llm", "feedback.analyze", None), ("notify", "feedback.route", "scoring")],
)
def test_messages_lost_with_a_dying_worker_are_republished(
    queue: str,
    task: str,
    upstream: str | None,
    pg_url: str,
    tmp_path: Path,
    redis_client: redis.Redis,
    record_fault: Callable[[FaultRow, str], None],
) -> None:
    with fault_system(fault_env(pg_url, REDIS_URL, tmp_path)) as system:
        kiosk = system.kiosk()
        if upstream:  # every queue but this one is served, so its messages wait there
            system.start(system.worker(",".join(q for q in ALL_QUEUES.split(",") if q != queue)))
        kiosk.post_many(ITEMS, critical_every=1)
        if upstream:
            wait_until(
                lambda: system.stage_done(upstream, kiosk.accepted) == ITEMS, 90, f"{upstream} never finished"
            )
        lost = [take_queued(redis_client, queue) for _ in range(LOST)]
        assert all(message and message["headers"]["task"] == task for message in lost)
        system.start(system.worker(queue if upstream else ALL_QUEUES, concurrency=2))
        # A worker's start (its first champion on a fresh database), then a sweep after 20 s of silence.
        outcome = system.wait_settled(kiosk, 150)

    record_fault(outcome.row(f"broker lost {LOST} {task} messages"), outcome.details())
    assert outcome.analyses == outcome.decisions == ITEMS
