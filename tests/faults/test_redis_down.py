"""Redis stopped while kiosks post: every POST still gets 202 and every item is
processed once Redis is back (the outbox relay publishes what ingest could not)."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import func, select

from carepulse.private_redis import free_port, start_redis
from models.db import make_engine, make_session_factory
from models.tables import Analysis, Feedback, OutboxEntry, UrgencyDecision
from tests.support.http import call
from tests.support.polling import wait_until
from tests.support.processes import Role, create_key_by_cli, ingest_role, role_env, running, wait_healthy

BEFORE, DURING = 5, 30


def test_broker_down_at_ingest_loses_nothing(pg_url: str, tmp_path: Path) -> None:
    port = free_port()
    redis_process, redis_url = start_redis(tmp_path / "redis", port)
    env = role_env(pg_url, redis_url, tmp_path)
    kiosk = create_key_by_cli(env, "kiosk", "outage-kiosk")
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)

    def count(table: type, *where: object) -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(table).where(*where))

    ingest, base_url = ingest_role(env, tmp_path)
    worker = Role(["worker", "--concurrency", "2"], env, tmp_path / "worker.log")
    beat = Role(["beat"], env, tmp_path / "beat.log")
    try:
        with running(ingest, worker, beat):
            wait_healthy(base_url)
            for n in range(BEFORE):
                assert (
                    call("POST", f"{base_url}/v1/feedback", kiosk, {"text": f"visit {n} was fine"})[0] == 202
                )
            wait_until(
                lambda: count(UrgencyDecision) == BEFORE, 60, "items before the outage were not processed"
            )

            redis_process.send_signal(signal.SIGTERM)
            redis_process.wait(timeout=20)
            assert call("GET", f"{base_url}/readyz")[0] == 503
            for n in range(DURING):
                status, body = call(
                    "POST", f"{base_url}/v1/feedback", kiosk, {"text": f"during outage {n}", "rating": 2}
                )
                assert status == 202, body
            assert count(Feedback) == BEFORE + DURING
            assert count(OutboxEntry, OutboxEntry.published_at.is_(None)) == DURING

            redis_process, _ = start_redis(tmp_path / "redis", port)
            wait_until(
                lambda: count(UrgencyDecision) == BEFORE + DURING,
                120,
                "items accepted during the outage were lost",
            )
            assert count(OutboxEntry, OutboxEntry.published_at.is_(None)) == 0
    finally:
        redis_process.terminate()
        redis_process.wait(timeout=20)
    with sessions() as session:
        statuses = dict(
            session.execute(select(Feedback.status, func.count()).group_by(Feedback.status)).all()
        )
    assert statuses == {"analyzed": BEFORE + DURING}
    assert count(Analysis) == BEFORE + DURING
    engine.dispose()
