"""Micro-batching across tasks: items that arrive as separate one-id tasks share one
Gemini request.

Each `feedback.analyze` task writes its ids to `llm_pending` (the durable buffer),
counts them in Redis, and then tries to become the collector (a short Redis lease).
Tasks that cannot, return at once, freeing their worker for the next arrival; the
collector waits until `size` items have arrived or `wait_seconds` have passed (at once
if an item has already waited that long), claims a batch (a lease
in the database, so a dead collector's batch is claimed again once it expires), gives
up the collector role, and only then calls Gemini. The collector's chain carries on
with every id it analyzed. Items the collector left behind are announced through
`on_leftovers` (with whether one is urgent), so the caller can start a collector for them
at once, in their lane; a periodic sweep (`stale_work`) catches what a crash left behind.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import redis
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.llm import LlmPending
from models.tables import Feedback, utcnow
from pipelines.analysis.gemini import AnalysisRequest, GeminiAnalyzer
from pipelines.analysis.llm_ledger import insert_ignoring_duplicates
from pipelines.analysis.stage import already_analyzed, record_fallback, set_processing, store_analysis
from pipelines.urgency.rules import red_flags

URGENT_LEVELS = frozenset({"critical", "high"})


class Collector(Protocol):
    """Who collects now, and a cheap count of arrivals so the collector need not poll the
    database (on SQLite every poll would take the write lock from the tasks enqueueing)."""

    def acquire(self) -> bool: ...

    def release(self) -> None: ...

    def announce(self, count: int, urgent: bool = False) -> None: ...

    def arrivals(self) -> int: ...

    def take_urgent(self) -> bool: ...

    def consume(self, count: int) -> None: ...


_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_CONSUME = (
    "local left = (tonumber(redis.call('get', KEYS[1])) or 0) - tonumber(ARGV[1]) "
    "if left < 0 then left = 0 end redis.call('set', KEYS[1], left) return left"
)


class RedisCollector:
    """At most one collector at a time (a lease that outlives a collector that died),
    and an approximate arrivals counter. The database stays the truth: the counter only
    tells the collector when to look."""

    def __init__(self, client: redis.Redis, ttl_seconds: float, prefix: str = "carepulse:llm") -> None:
        self._client = client
        self._lock_key = f"{prefix}:collector"
        self._arrivals_key = f"{prefix}:arrivals"
        self._urgent_key = f"{prefix}:urgent"
        self._ttl_ms = int(ttl_seconds * 1000)
        self._token: str | None = None

    def acquire(self) -> bool:
        token = uuid.uuid4().hex
        if self._client.set(self._lock_key, token, nx=True, px=self._ttl_ms):
            self._token = token
            return True
        return False

    def release(self) -> None:
        if self._token is not None:
            self._client.eval(_RELEASE, 1, self._lock_key, self._token)
            self._token = None

    def announce(self, count: int, urgent: bool = False) -> None:
        if count:
            self._client.incrby(self._arrivals_key, count)
        if urgent:
            self._client.set(self._urgent_key, 1, px=self._ttl_ms)

    def arrivals(self) -> int:
        return int(self._client.get(self._arrivals_key) or 0)

    def take_urgent(self) -> bool:
        """Has an urgent item arrived? Clears the flag, atomically, for the next one."""
        pipe = self._client.pipeline(transaction=True)
        pipe.get(self._urgent_key)
        pipe.delete(self._urgent_key)
        flag, _ = pipe.execute()
        return flag is not None

    def consume(self, count: int) -> None:
        if count:
            self._client.eval(_CONSUME, 1, self._arrivals_key, count)


@dataclass(frozen=True)
class BatchWindow:
    size: int = 10
    wait_seconds: float = 0.5
    lease_seconds: float = 300.0  # how long a claimed batch is someone's; above any call's retries
    poll_seconds: float = 0.01


def _claimable(now: object) -> object:
    return or_(LlmPending.lease_until.is_(None), LlmPending.lease_until < now)


def enqueue(session: Session, feedback_ids: list[str]) -> tuple[list[str], int, bool]:
    """Buffer the items that still need an analysis.

    Returns the ids that already have one, how many items were buffered, and whether one
    of them carries a critical or high red flag (its alert must not wait for a batch)."""
    # The columns needed, never the whole row: one a driver cannot read (a year-10000
    # `submitted_at`) must not fail the batch it arrived with.
    rows = session.execute(
        select(Feedback.id, Feedback.text, Feedback.language, Feedback.status).where(
            Feedback.id.in_(feedback_ids)
        )
    ).all()
    done = already_analyzed(session, feedback_ids)
    now = utcnow()
    fresh = [
        {
            "feedback_id": row.id,
            "enqueued_at": now,
            "lease_until": None,
            "urgent": _urgent(row.text, row.language),
        }
        for row in rows
        if row.id not in done
    ]
    insert_ignoring_duplicates(session, LlmPending, fresh)
    set_processing(session, [row.id for row in rows if row.status == "received"])
    return [fid for fid in feedback_ids if fid in done], len(fresh), any(row["urgent"] for row in fresh)


def _urgent(text: str | None, language: str | None) -> bool:
    return any(hit.level in URGENT_LEVELS for hit in red_flags(text, language))


def _overdue(session: Session, window: BatchWindow) -> bool:
    """Has some claimable item waited its longest already (a leftover, a dead collector's)?"""
    now = utcnow()
    overdue = now - timedelta(seconds=window.wait_seconds)
    found = session.scalar(
        select(LlmPending.feedback_id).where(_claimable(now), LlmPending.enqueued_at <= overdue).limit(1)
    )
    return found is not None


def claim(session: Session, window: BatchWindow) -> list[str]:
    """Lease up to `size` of the oldest waiting items.

    SKIP LOCKED: two collectors (one whose Redis lease ran out) never block on, or take,
    each other's rows; SQLite serializes writers instead and ignores the clause.
    """
    now = utcnow()
    ids = list(
        session.scalars(
            select(LlmPending.feedback_id)
            .where(_claimable(now))
            .order_by(LlmPending.urgent.desc(), LlmPending.enqueued_at)
            .limit(window.size)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(LlmPending)
            .where(LlmPending.feedback_id.in_(ids))
            .values(lease_until=now + timedelta(seconds=window.lease_seconds))
        )
    return ids


def analyze_claimed(
    sessions: sessionmaker[Session], analyzer: GeminiAnalyzer, feedback_ids: list[str]
) -> list[str]:
    """Analyze a claimed batch; no transaction is open while Gemini answers."""
    with sessions() as session:
        done = already_analyzed(session, feedback_ids)
        requests = [
            AnalysisRequest(*row)
            for row in session.execute(
                select(Feedback.id, Feedback.text, Feedback.language, Feedback.rating, Feedback.emoji).where(
                    Feedback.id.in_(feedback_ids)
                )
            )
            if row.id not in done
        ]
    outcomes = analyzer.analyze_many(requests)
    with session_scope(sessions) as session:
        done = already_analyzed(session, feedback_ids)  # a second collector after a lease expired
        for key, outcome in outcomes.items():
            if key not in done:
                store_analysis(session, key, outcome.result, outcome.analyzer)
                if outcome.fallback:
                    record_fallback(session, key, outcome.fallback)
        session.execute(delete(LlmPending).where(LlmPending.feedback_id.in_(feedback_ids)))
    return feedback_ids


def collect_and_analyze(
    sessions: sessionmaker[Session],
    collector: Collector,
    analyzer: GeminiAnalyzer,
    feedback_ids: list[str],
    window: BatchWindow,
    on_leftovers: Callable[[bool], None] = lambda urgent: None,
) -> list[str]:
    """Buffer these items and, if no one else is collecting, analyze a batch.

    Returns the ids whose analysis exists now and whose next stage is this caller's:
    the batch this call analyzed, plus its own items that were analyzed before.
    """
    with session_scope(sessions) as session:
        done, buffered, urgent = enqueue(session, feedback_ids)
    collector.announce(buffered, urgent)
    if not collector.acquire():
        return done
    try:
        with sessions() as session:
            ready = _overdue(session, window)
        started = time.monotonic()
        while not (ready or collector.take_urgent() or collector.arrivals() >= window.size):
            if time.monotonic() - started >= window.wait_seconds:
                break
            time.sleep(window.poll_seconds)
        with session_scope(sessions) as session:
            batch = claim(session, window)
        collector.consume(len(batch))
    finally:
        collector.release()
    with sessions() as session:
        leftovers = _waiting(session, _claimable(utcnow()))
    if leftovers is not None:
        on_leftovers(leftovers)
    analyzed = analyze_claimed(sessions, analyzer, batch) if batch else []
    return done + [fid for fid in analyzed if fid not in done]


def _waiting(session: Session, claimable: object) -> bool | None:
    """Whether an urgent item is among the claimable ones; None if there are none."""
    return session.scalar(
        select(LlmPending.urgent).where(claimable).order_by(LlmPending.urgent.desc()).limit(1)
    )


def stale_work(session: Session, grace_seconds: float) -> bool | None:
    """Buffered items no collector is working on, which a crash can leave behind: None if
    there are none, else whether one of them is urgent (its collector runs in the fast lane).
    Items analyzed whose chain died before scoring are the stall sweep's (pipelines/stalls.py)."""
    now = utcnow()
    cutoff = now - timedelta(seconds=grace_seconds)
    return _waiting(
        session,
        or_(
            LlmPending.lease_until < now,
            and_(LlmPending.lease_until.is_(None), LlmPending.enqueued_at < cutoff),
        ),
    )
