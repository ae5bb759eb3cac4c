"""Redis SIGKILLed while a stage works on a critical item: the stage commits its analysis,
cannot publish the next step, and fails nothing; once Redis is back the item is scored
and paged, as if the broker had never gone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from carepulse.private_redis import free_port, start_redis
from models.dead_letters import DeadLetter
from models.tables import Analysis, Feedback
from tests.fakes.gemini_server import running_fake
from tests.support.fault_system import ALL_QUEUES, BROKER_OUTAGE, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until

GEMINI_LATENCY = 3.0  # long enough to kill Redis while the analysis waits for its answer
LEFT_TO_RELAY = "items to the outbox relay: the broker is unreachable"


@pytest.mark.timeout(180)
def test_broker_lost_while_a_stage_runs_fails_no_item(
    pg_url: str, tmp_path: Path, record_fault: Callable[[FaultRow, str], None]
) -> None:
    data_dir, port = tmp_path / "redis", free_port()
    server, redis_url = start_redis(data_dir, port)
    try:
        with running_fake(latency=GEMINI_LATENCY) as gemini:
            env = fault_env(
                pg_url,
                redis_url,
                tmp_path,
                **BROKER_OUTAGE,
                GOOGLE_API_KEY="fake-gemini-key",
                GEMINI_BASE_URL=gemini.url,
            )
            with fault_system(env) as system:
                worker = system.start(system.worker(ALL_QUEUES))
                kiosk = system.kiosk()
                kiosk.post_many(1, critical_every=1)
                wait_until(lambda: gemini.requests, 60, "the analysis never asked Gemini")
                server.kill()
                server.wait(timeout=10)
                wait_until(
                    lambda: LEFT_TO_RELAY in worker.log_path.read_text(),
                    30,
                    "the stage never met the unreachable broker",
                )
                assert system.count(Analysis, Analysis.feedback_id.in_(kiosk.accepted)) == 1
                assert system.count(Feedback, Feedback.status == "failed") == 0
                assert system.count(DeadLetter) == 0
                server, _ = start_redis(data_dir, port)
                outcome = system.wait_settled(kiosk, 120)
                assert system.count(Feedback, Feedback.status == "analyzed") == 1
                assert system.count(DeadLetter) == 0
    finally:
        server.kill()
        server.wait(timeout=10)

    record_fault(outcome.row("Redis SIGKILL while a stage runs"), outcome.details())
