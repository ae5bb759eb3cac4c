"""Workers pick up a newly promoted model without a restart: the provider re-reads the
registry every MODEL_REFRESH_SECONDS, and a real worker scores with the new champion."""

from __future__ import annotations

import time
from pathlib import Path

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory, session_scope
from models.tables import Feedback, UrgencyDecision
from pipelines.training import registry
from pipelines.training.retrain import ensure_champion
from pipelines.training.serving import ChampionProvider
from tests.conftest import REDIS_URL
from tests.support.polling import wait_until
from tests.support.processes import Role, role_env, running
from workers.chains import CeleryPublisher

PICKUP_LIMIT = 60.0  # Done-when: a promoted model is in use within one minute


def promote_copy(sessions: sessionmaker[Session], model_dir: Path, version: str) -> None:
    """A new champion: the current artifact registered under another version name."""
    with sessions() as session:
        model = registry.load(model_dir, registry.champion(session))  # type: ignore[arg-type]
    model.version = version
    with session_scope(sessions) as session:
        row = registry.register(
            session, model, model_dir, data_hash="x", code_version="y", training_rows=1, metrics={}
        )
        registry.promote(session, row)


def test_provider_switches_after_its_refresh_interval(
    sessions: sessionmaker[Session], model_dir: Path
) -> None:
    now = [1000.0]
    provider = ChampionProvider(sessions, model_dir, refresh_seconds=30, clock=lambda: now[0])
    first = provider.current()  # bootstraps the first champion
    assert first.version.startswith("bootstrap-")

    promote_copy(sessions, model_dir, "urgency-next")
    now[0] += 29
    assert provider.current() is first  # not yet re-read: no query per item
    now[0] += 2
    assert provider.current().version == "urgency-next"


def _decision(sessions: sessionmaker[Session], feedback_id: str) -> str | None:
    with sessions() as session:
        return session.scalar(
            select(UrgencyDecision.model_version).where(UrgencyDecision.feedback_id == feedback_id)
        )


def _submit(sessions: sessionmaker[Session], text: str) -> str:
    with session_scope(sessions) as session:
        item = Feedback(channel="kiosk", text=text)
        session.add(item)
        session.flush()
        feedback_id = item.id
    CeleryPublisher().publish([feedback_id])
    return feedback_id


def test_running_worker_uses_a_promoted_model_within_a_minute(
    pg_url: str, tmp_path: Path, model_dir: Path, redis_client: redis.Redis
) -> None:
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        bootstrap = ensure_champion(session, model_dir).version
    env = role_env(pg_url, REDIS_URL, tmp_path, URGENCY_MODEL_DIR=str(model_dir), MODEL_REFRESH_SECONDS="5")
    worker = Role(
        ["worker", "--queues", "llm,scoring,notify", "--concurrency", "1"], env, tmp_path / "worker.log"
    )
    with running(worker):
        first = _submit(sessions, "the room was clean and the nurses were kind")
        assert wait_until(lambda: _decision(sessions, first), 60, "first item scored") == bootstrap

        promote_copy(sessions, model_dir, "urgency-promoted")
        promoted_at = time.monotonic()

        def scored_by_new_model() -> bool:
            fid = _submit(sessions, "the food was cold again")
            return wait_until(lambda: _decision(sessions, fid), 30, "item scored") == "urgency-promoted"

        wait_until(scored_by_new_model, PICKUP_LIMIT, "the worker never used the promoted model", interval=1)
        assert time.monotonic() - promoted_at < PICKUP_LIMIT
        assert worker.process is not None and worker.process.poll() is None  # never restarted
    engine.dispose()
