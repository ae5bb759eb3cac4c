"""A task that exhausts its retries leaves a dead letter, and `carepulse replay` runs it
again with a real worker once the cause is gone.

The fault is real: the test holds an exclusive lock on `urgency_decisions` (as a long
migration or a stuck maintenance job would), and the worker's connections give up
waiting after 200 ms, so every scoring attempt fails with a transient OperationalError
until STAGE_MAX_RETRIES is spent. Analysis, the item's status and the dead letter itself
are other tables, which stay writable.
"""

from __future__ import annotations

import json
import urllib.request
from contextlib import closing
from pathlib import Path

import redis
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from celeryconfig import QUEUES
from models.db import make_engine, make_session_factory
from models.dead_letters import DeadLetter
from models.tables import Feedback, UrgencyDecision
from tests.conftest import REDIS_URL
from tests.support.broker import queued_messages
from tests.support.http import call
from tests.support.polling import wait_until
from tests.support.processes import (
    Role,
    create_key_by_cli,
    ingest_role,
    role_env,
    run_cli,
    running,
    wait_healthy,
)

TEXT = "the food on ward 4 was cold again"
LOCK_TIMEOUT = "%20-clock_timeout%3D200"  # appended to the libpq `options` of the test schema's URL


def idle(client: redis.Redis) -> bool:
    """Nothing waits on any queue and nothing is held unacknowledged by a worker."""
    return not any(queued_messages(client, queue) for queue in QUEUES) and not client.hlen("unacked")


def letters(sessions: sessionmaker[Session]) -> list[DeadLetter]:
    with sessions() as session:
        return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def item(sessions: sessionmaker[Session], feedback_id: str) -> tuple[str, str | None]:
    with sessions() as session:
        row = session.get(Feedback, feedback_id)
        return row.status, row.failure_reason


def decisions(sessions: sessionmaker[Session], feedback_id: str) -> int:
    with sessions() as session:
        query = (
            select(func.count())
            .select_from(UrgencyDecision)
            .where(UrgencyDecision.feedback_id == feedback_id)
        )
        return session.scalar(query)


def metric(base_url: str, line_start: str) -> list[str]:
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as response:
        return [line for line in response.read().decode().splitlines() if line.startswith(line_start)]


def test_exhausted_scoring_is_dead_lettered_and_replayed_to_analyzed(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis
) -> None:
    env = role_env(pg_url, REDIS_URL, tmp_path, STAGE_MAX_RETRIES="2")
    worker_env = {**env, "DATABASE_URL": pg_url + LOCK_TIMEOUT}
    kiosk = create_key_by_cli(env, "kiosk", "replay-kiosk")
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    ingest, base_url = ingest_role(env, tmp_path)
    worker = Role(["worker", "--concurrency", "1"], worker_env, tmp_path / "worker.log")

    lock = engine.connect()
    lock.begin()
    lock.execute(text("LOCK TABLE urgency_decisions IN ACCESS EXCLUSIVE MODE"))
    with closing(lock), running(ingest, worker):
        wait_healthy(base_url)
        status, body = call("POST", f"{base_url}/v1/feedback", kiosk, {"text": TEXT})
        assert status == 202
        feedback_id = body["id"]

        wait_until(lambda: letters(sessions), 90, "the scoring task never gave up")
        (dead,) = letters(sessions)
        assert (dead.task_name, dead.error, dead.retries, dead.args) == (
            "feedback.score",
            "OperationalError",
            2,
            [[feedback_id]],
        )
        assert item(sessions, feedback_id) == ("failed", "feedback.score: OperationalError")
        assert metric(base_url, "carepulse_dead_letters{") == [
            'carepulse_dead_letters{task="feedback.score"} 1.0'
        ]

        listed = json.loads(run_cli(env, "replay", "--list", "--json"))
        assert [(v["id"], v["task"], v["error"], v["items"]) for v in listed] == [
            (dead.id, "feedback.score", "OperationalError", 1)
        ]
        table = run_cli(env, "replay", "--list")
        assert "feedback.score" in table and TEXT not in table and feedback_id not in table

        lock.close()  # the cause is fixed
        assert decisions(sessions, feedback_id) == 0
        assert f"replayed dead letter {dead.id}" in run_cli(env, "replay", str(dead.id))
        wait_until(
            lambda: item(sessions, feedback_id)[0] == "analyzed", 60, "the replay never scored the item"
        )
        assert item(sessions, feedback_id) == ("analyzed", None) and decisions(sessions, feedback_id) == 1
        wait_until(lambda: idle(redis_client), 30, "the replayed chain never finished")

        run_cli(env, "replay", str(dead.id))  # again: the stages find their work done
        wait_until(lambda: idle(redis_client), 30, "the second replay never finished")
        assert item(sessions, feedback_id) == ("analyzed", None) and decisions(sessions, feedback_id) == 1
        (again,) = letters(sessions)  # nothing failed anew
        assert again.replays == 2 and again.replayed_at is not None
        assert json.loads(run_cli(env, "replay", "--list", "--json")) == []
        assert metric(base_url, "carepulse_dead_letters{") == []
    engine.dispose()
