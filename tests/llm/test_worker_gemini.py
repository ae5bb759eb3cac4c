"""A real worker on the llm queue with Gemini configured: one-id chains published as
ingest publishes them share Gemini requests, and every item goes on to scoring once."""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path

import redis
from sqlalchemy import func, select

from models.db import make_engine, make_session_factory, session_scope
from models.tables import Analysis, Feedback
from tests.conftest import REDIS_URL
from tests.fakes.gemini_server import FakeGemini
from tests.support.broker import queued_messages
from tests.support.polling import wait_until
from tests.support.processes import Role, role_env, running
from workers.chains import CeleryPublisher


def scoring_queue_ids(client: redis.Redis) -> Counter[str]:
    """The ids in the messages waiting on the scoring queue (kombu's Redis list)."""
    ids: Counter[str] = Counter()
    for _, message in queued_messages(client, "scoring"):
        body = json.loads(base64.b64decode(message["body"]))
        ids.update(body[0][0])
    return ids


def test_worker_batches_one_id_chains(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis, fake: FakeGemini
) -> None:
    fake.latency = 0.05
    sessions = make_session_factory(make_engine(pg_url))
    with session_scope(sessions) as session:
        items = [Feedback(channel="kiosk", text=f"the food was cold, tray {i}") for i in range(30)]
        session.add_all(items)
        session.flush()
        ids = [item.id for item in items]
    env = role_env(
        pg_url,
        REDIS_URL,
        tmp_path,
        GOOGLE_API_KEY="test-key",
        GEMINI_BASE_URL=fake.url,
        GEMINI_BATCH_WAIT_MS="300",
    )
    worker = Role(["worker", "--queues", "llm", "--concurrency", "2"], env, tmp_path / "worker.log")
    with running(worker):
        publisher = CeleryPublisher()
        for fid in ids:
            publisher.publish([fid])

        def analyzed() -> bool:
            with sessions() as session:
                return session.scalar(select(func.count()).select_from(Analysis)) == len(ids)

        wait_until(analyzed, 60, "the worker never analyzed every item")
        wait_until(
            lambda: sum(scoring_queue_ids(redis_client).values()) >= len(ids),
            10,
            "chains never reached scoring",
        )
    with sessions() as session:
        assert set(session.scalars(select(Analysis.analyzer))) == {"gemini"}
    assert len(fake.requests) <= 10, f"{len(fake.requests)} requests for {len(ids)} items"
    assert scoring_queue_ids(redis_client) == Counter(ids)  # each item goes on exactly once
