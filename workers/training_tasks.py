"""The training queue: the weekly retraining (beat) and on-demand runs, plus the first
champion of a fresh database when a worker starts.

Single flight: a Redis lock keeps two runs from training at once (a slow run and the
next one, or beat and an operator); the loser returns without training. Running the task
twice is harmless: the second challenger is judged against the first like any other.
"""

from __future__ import annotations

import logging

import redis
from celery.signals import worker_ready

from pipelines.training.retrain import retrain as run_retraining
from pipelines.training.serving import ensure_first_champion
from workers import runtime
from workers.app import app
from workers.stage_task import RecordedTask

log = logging.getLogger(__name__)

LOCK_NAME = "carepulse:training:lock"
LOCK_SECONDS = 3600


@worker_ready.connect
def _first_champion(**_: object) -> None:
    """A fresh database gets its first urgency model as the worker starts, not inside a
    scoring task (whose time limit a few seconds of training could exceed)."""
    settings = runtime.settings()
    version = ensure_first_champion(runtime.session_factory(), settings.urgency_model_dir)
    log.info("urgency model champion: %s", version)


@app.task(name="training.retrain", base=RecordedTask, acks_late=True)
def retrain(trigger: str = "schedule") -> int | None:
    """Train a challenger and promote it if it is better; return the training run id."""
    settings = runtime.settings()
    client = redis.Redis.from_url(settings.redis_url)
    lock = client.lock(LOCK_NAME, timeout=LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        log.info("a training run is already in progress; skipping")
        return None
    try:
        with runtime.task_session() as session:
            outcome = run_retraining(session, settings.urgency_model_dir, trigger=trigger)
        log.info("training run %d: promoted=%s (%s)", outcome.run_id, outcome.promoted, outcome.decision)
        return outcome.run_id
    finally:
        lock.release()
        client.close()
