"""PostgreSQL crashed (`pg_ctl stop -m immediate`) while a kiosk posts and the workers
work, then started again: POSTs during the outage are refused (never a 202 for an item that
was not stored), and every item that was accepted completes, with each page sent once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from models.migrate import upgrade
from tests.conftest import REDIS_URL
from tests.fakes.providers import fake_providers
from tests.support.fault_system import fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until
from tests.support.private_postgres import private_postgres

ITEMS = 60
WARM_UP = 4  # processed before the load starts, so that workers are busy when the database dies
BEFORE, REFUSED = 15, 5  # accepted after the warm-up before the crash; refused during the outage


@pytest.mark.timeout(240)
def test_postgres_crashed_and_restarted_mid_load(
    tmp_path: Path, redis_client: redis.Redis, record_fault: Callable[[FaultRow, str], None]
) -> None:
    with private_postgres() as cluster, fake_providers() as providers:
        upgrade(cluster.url)
        env = fault_env(
            cluster.url, REDIS_URL, tmp_path, providers, email_provider=False, CELERY_VISIBILITY_TIMEOUT="10"
        )
        with fault_system(env, providers) as system:
            kiosk, _ = system.busy_kiosk(WARM_UP)
            with kiosk.posting(ITEMS - WARM_UP):
                kiosk.wait_accepted(WARM_UP + BEFORE)
                cluster.crash()
                wait_until(lambda: sum(kiosk.refused.values()) >= REFUSED, 60, "POSTs were not refused")
                cluster.start()
            outcome = system.wait_settled(kiosk, 150)

    record_fault(outcome.row("PostgreSQL crash + restart"), outcome.details())
    assert outcome.accepted + sum(kiosk.refused.values()) == ITEMS
    assert all(status >= 500 for status in kiosk.refused), kiosk.refused
    assert outcome.analyses == outcome.decisions == outcome.accepted
