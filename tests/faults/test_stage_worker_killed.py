"""The worker of one stage SIGKILLed while that stage holds every item: once a new worker
takes the queue, each item completes with one analysis and one decision, and each critical
item's pages reach Twilio (SMS) and the offline sender (email) once.

One worker per stage queue and one for the other queues, shared by the module's cases.
Each case stops its stage's worker, posts its items, lets the stages before it finish,
then starts a worker on the full queue and SIGKILLs it mid-work. The broker hands the dead
worker's unacknowledged tasks back after the visibility timeout (10 s here), the stall
sweep restarts what stays silent past its lane's limit (`pipelines/stalls.py`), and a page
the dead worker left claimed is looked up at Twilio before it is sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fakes.providers import fake_providers
from tests.support.fault_system import OTHER_QUEUES, PAGES, STAGE_QUEUES, FaultSystem, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until
from tests.support.processes import Role

UPSTREAM = {"asr": None, "llm": None, "scoring": "llm", "notify": "scoring"}
ITEMS = {"asr": 8, "llm": 40, "scoring": 40, "notify": 40}  # speech costs seconds of CPU an item
CONCURRENCY = 2


@pytest.fixture(scope="module")
def stage_workers(
    module_pg_url: str, module_redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FaultSystem, dict[str, Role]]]:
    with fake_providers() as providers:
        var_dir = tmp_path_factory.mktemp("stages")
        # Speech takes seconds a clip on a busy machine: the task time limit (visibility - 1 s)
        # must leave room for it.
        env = fault_env(
            module_pg_url,
            module_redis,
            var_dir,
            providers,
            email_provider=False,
            CELERY_VISIBILITY_TIMEOUT="10",
        )
        with fault_system(env, providers) as system:
            system.start(system.worker(OTHER_QUEUES))
            workers = {stage: system.start(system.worker(stage, CONCURRENCY)) for stage in STAGE_QUEUES}
            yield system, workers


@pytest.mark.timeout(240)
@pytest.mark.parametrize("stage", STAGE_QUEUES)
def test_stage_worker_sigkilled_mid_work(
    stage: str,
    stage_workers: tuple[FaultSystem, dict[str, Role]],
    record_fault: Callable[[FaultRow, str], None],
) -> None:
    system, workers = stage_workers
    kiosk = system.kiosk()
    items = ITEMS[stage]
    workers[stage].stop()
    kiosk.post_many(items, audio=stage == "asr")
    if upstream := UPSTREAM[stage]:
        wait_until(
            lambda: system.stage_done(upstream, kiosk.accepted) == items, 90, f"{upstream} never finished"
        )
    work = items if stage != "notify" else (items + 1) // 2 * len(PAGES)

    doomed = system.start(system.worker(stage, CONCURRENCY))
    wait_until(lambda: system.stage_done(stage, kiosk.accepted) >= 2, 90, f"the {stage} worker never started")
    doomed.kill()
    done_at_kill = system.stage_done(stage, kiosk.accepted)
    assert done_at_kill < work, f"{stage} finished before the kill; the case proves nothing"

    workers[stage] = system.start(system.worker(stage, CONCURRENCY))
    outcome = system.wait_settled(kiosk, 150)
    record_fault(outcome.row(f"SIGKILL {stage} worker ({done_at_kill}/{work} done)"), outcome.details())
    assert outcome.analyses == outcome.decisions == items
