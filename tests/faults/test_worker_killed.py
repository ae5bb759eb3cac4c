"""A worker SIGKILLed in the middle of the chain: after a restart every item completes
with exactly one analysis, one decision and one alert per channel."""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import func, select

from models.db import make_engine, make_session_factory
from models.tables import Alert, Analysis, Feedback, SentMessage, UrgencyDecision
from tests.conftest import REDIS_URL
from tests.support.http import call
from tests.support.polling import wait_until
from tests.support.processes import Role, create_key_by_cli, ingest_role, role_env, running, wait_healthy

ITEMS = 150
CRITICAL = "my father in bed {n} can't breathe and nobody comes"


def test_worker_sigkill_mid_chain_loses_and_duplicates_nothing(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis
) -> None:
    # A short visibility timeout so the broker hands the dead worker's tasks back quickly.
    env = role_env(pg_url, REDIS_URL, tmp_path, CELERY_VISIBILITY_TIMEOUT="5")
    kiosk = create_key_by_cli(env, "kiosk", "fault-kiosk")
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)

    def count(table: type) -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(table))

    ingest, base_url = ingest_role(env, tmp_path)
    with running(ingest):
        wait_healthy(base_url)
        for n in range(ITEMS):
            status, _ = call("POST", f"{base_url}/v1/feedback", kiosk, {"text": CRITICAL.format(n=n)})
            assert status == 202

        worker = Role(["worker", "--concurrency", "2"], env, tmp_path / "worker-1.log").start()
        wait_until(lambda: count(Analysis) >= 5, 60, "the first worker never started analyzing")
        worker.kill()
        at_kill = count(SentMessage)
        assert at_kill < 2 * ITEMS, "the chain finished before the kill; the test proves nothing"

        with running(Role(["worker", "--concurrency", "2"], env, tmp_path / "worker-2.log")):
            wait_until(lambda: count(SentMessage) >= 2 * ITEMS, 120, "items did not complete after restart")

    with sessions() as session:
        statuses = dict(
            session.execute(select(Feedback.status, func.count()).group_by(Feedback.status)).all()
        )
        per_item = session.execute(
            select(Alert.feedback_id, Alert.channel, func.count()).group_by(Alert.feedback_id, Alert.channel)
        ).all()
    assert statuses == {"analyzed": ITEMS}
    assert count(Analysis) == ITEMS
    assert count(UrgencyDecision) == ITEMS
    assert len(per_item) == 2 * ITEMS and all(n == 1 for *_, n in per_item)
    assert count(SentMessage) == 2 * ITEMS
    engine.dispose()
