"""Micro-batching across tasks, with the durable buffer and the Redis collector lease.

`run_tasks` plays a Celery worker pool: threads take one-id tasks from a queue and run
exactly what `feedback.analyze` runs; a leftover announcement queues an empty task,
as the real one publishes an empty chain.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from datetime import timedelta

import pytest
import redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.llm import LlmFallback, LlmPending
from models.tables import Analysis, Feedback, utcnow
from pipelines.analysis.batching import (
    BatchWindow,
    RedisCollector,
    claim,
    collect_and_analyze,
    enqueue,
    stale_work,
)
from pipelines.analysis.gemini import GeminiAnalyzer
from pipelines.analysis.resilience import RetryPolicy
from pipelines.urgency.stage import score_feedback
from tests.fakes.gemini_server import FakeGemini
from tests.llm.helpers import add_feedback, make_analyzer

WINDOW = BatchWindow(size=10, wait_seconds=0.3)


def run_tasks(
    sessions: sessionmaker[Session],
    client: redis.Redis,
    analyzer: GeminiAnalyzer,
    ids: list[str],
    workers: int = 4,
) -> list[list[str]]:
    """Every task's return value (what its chain goes on to score)."""
    tasks: queue.Queue[list[str]] = queue.Queue()
    for fid in ids:
        tasks.put([fid])
    returned: list[list[str]] = []

    def work() -> None:
        while True:
            try:
                task = tasks.get(timeout=0.5)
            except queue.Empty:
                return
            lock = RedisCollector(client, ttl_seconds=10)
            returned.append(
                collect_and_analyze(
                    sessions, lock, analyzer, task, WINDOW, on_leftovers=lambda urgent: tasks.put([])
                )
            )

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return returned


def analyses(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return dict(session.execute(select(Analysis.feedback_id, Analysis.analyzer)).all())


def pending(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(LlmPending.feedback_id)))


def test_one_id_tasks_share_requests(
    sessions: sessionmaker[Session], fake: FakeGemini, redis_client: redis.Redis
) -> None:
    fake.latency = 0.05
    ids = add_feedback(sessions, *(f"the room was dirty, report {i}" for i in range(40)))
    returned = run_tasks(sessions, redis_client, make_analyzer(sessions, fake), ids)

    assert Counter(fid for batch in returned for fid in batch) == Counter(ids)  # each chain goes on once
    assert set(analyses(sessions).values()) == {"gemini"} and len(analyses(sessions)) == 40
    assert len(fake.requests) <= 8, f"{len(fake.requests)} requests for 40 items"
    assert pending(sessions) == []


def test_storm_of_429_and_500_loses_nothing(
    sessions: sessionmaker[Session], fake: FakeGemini, redis_client: redis.Redis
) -> None:
    fake.storm, fake.retry_delay = 0.6, 0.01
    ids = add_feedback(sessions, *(f"we waited six hours, visit {i}" for i in range(30)))
    analyzer = make_analyzer(sessions, fake, sleep=lambda _: None)
    analyzer.policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
    returned = run_tasks(sessions, redis_client, analyzer, ids)
    with session_scope(sessions) as session:
        score_feedback(session, [fid for batch in returned for fid in batch])

    done = analyses(sessions)
    assert set(done) == set(ids) and pending(sessions) == []
    with sessions() as session:
        fallbacks = dict(session.execute(select(LlmFallback.feedback_id, LlmFallback.reason)).all())
        statuses = set(session.scalars(select(Feedback.status)))
    assert statuses == {"analyzed"}
    assert {fid for fid, by in done.items() if by == "local"} == set(fallbacks)
    assert set(fallbacks.values()) <= {"http_429", "http_500", "breaker_open"}
    assert "gemini" in done.values() and "local" in done.values()  # the storm really hit


def test_a_dead_collectors_batch_is_claimed_again(
    sessions: sessionmaker[Session], fake: FakeGemini, redis_client: redis.Redis
) -> None:
    ids = add_feedback(sessions, "the food was cold", "the nurse was kind")
    lock = RedisCollector(redis_client, ttl_seconds=10)
    analyzer = make_analyzer(sessions, fake)
    # A collector enqueued and claimed both, then its worker was SIGKILLed.
    with session_scope(sessions) as session:
        enqueue(session, ids)
    with session_scope(sessions) as session:
        assert sorted(claim(session, WINDOW)) == sorted(ids)
    assert collect_and_analyze(sessions, lock, analyzer, [], WINDOW) == []  # still leased

    with session_scope(sessions) as session:
        session.execute(update(LlmPending).values(lease_until=utcnow() - timedelta(seconds=1)))
        assert stale_work(session, grace_seconds=60) is False  # waiting, none of them urgent
    assert sorted(collect_and_analyze(sessions, lock, analyzer, [], WINDOW)) == sorted(ids)
    assert set(analyses(sessions)) == set(ids) and pending(sessions) == []
    with sessions() as session:
        assert stale_work(session, grace_seconds=0) is None


def test_a_redelivered_task_carries_its_analyzed_items_on(
    sessions: sessionmaker[Session], fake: FakeGemini, redis_client: redis.Redis
) -> None:
    (fid,) = add_feedback(sessions, "thank you all")
    lock = RedisCollector(redis_client, ttl_seconds=10)
    analyzer = make_analyzer(sessions, fake)
    window = BatchWindow(size=10, wait_seconds=0)
    assert collect_and_analyze(sessions, lock, analyzer, [fid], window) == [fid]
    assert collect_and_analyze(sessions, lock, analyzer, [fid], window) == [fid]
    assert len(fake.requests) == 1 and len(analyses(sessions)) == 1


def test_collector_lock_is_exclusive_and_released(redis_client: redis.Redis) -> None:
    first, second = RedisCollector(redis_client, 10), RedisCollector(redis_client, 10)
    assert first.acquire() and not second.acquire()
    second.release()  # not its lease: no effect
    assert not RedisCollector(redis_client, 10).acquire()
    first.release()
    assert second.acquire()


@pytest.mark.timeout(30)
def test_a_red_flag_does_not_wait_for_the_batch_to_fill(
    sessions: sessionmaker[Session], fake: FakeGemini, redis_client: redis.Redis
) -> None:
    ordinary = add_feedback(sessions, "the food was cold", "the parking was full", "the tv was broken")
    (urgent,) = add_feedback(sessions, "my husband can't breathe and nobody comes")
    collector = RedisCollector(redis_client, ttl_seconds=10)
    with session_scope(sessions) as session:
        assert enqueue(session, ordinary)[2] is False
    window = BatchWindow(size=2, wait_seconds=600)  # only the red flag can end this wait
    first = collect_and_analyze(sessions, collector, make_analyzer(sessions, fake), [urgent], window)
    assert urgent in first and len(first) == 2  # claimed first, ahead of older items
    assert collector.take_urgent() is False  # the flag was taken by the collector
