"""What Gemini costs: the daily token budget, one usage row per call, and the cache.

The budget is shared by every worker, so it lives in the database. A call first
reserves an upper bound of its tokens (`estimate_tokens`) and may start only while
spent + reserved is below the budget; afterwards the reservation becomes the real
count. Since every call in flight is counted, the day can end above the budget by at
most one call's tokens. A worker killed mid-call leaves its reservation behind, which
errs on the side of spending less; the ledger starts afresh each UTC day.

Each of these opens its own short transaction: tokens spent stay recorded even if the
task's own transaction rolls back, and no lock is held while Gemini thinks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.llm import LlmBudgetDay, LlmCacheEntry, LlmFallback, LlmUsage
from pipelines.analysis.gemini_prompt import PROMPT_VERSION, result_from_json, result_to_json
from pipelines.analysis.result import AnalysisResult
from pipelines.telemetry import count_llm_call


def utc_today() -> date:
    return datetime.now(UTC).date()


def insert_ignoring_duplicates(session: Session, table: type, rows: list[dict[str, object]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either database (concurrent workers race)."""
    if not rows:
        return
    bind = session.get_bind()
    dialect = bind.dialect.name if isinstance(bind, Engine) else bind.engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(rows).on_conflict_do_nothing())


class TokenBudget:
    """The daily token budget; `daily_tokens == 0` means no limit."""

    def __init__(
        self, sessions: sessionmaker[Session], daily_tokens: int, today: Callable[[], date] = utc_today
    ) -> None:
        self._sessions = sessions
        self.daily_tokens = daily_tokens
        self.today = today

    def _day_row(self, session: Session, day: date) -> LlmBudgetDay:
        insert_ignoring_duplicates(
            session, LlmBudgetDay, [{"day": day, "spent_tokens": 0, "reserved_tokens": 0}]
        )
        row = session.scalar(select(LlmBudgetDay).where(LlmBudgetDay.day == day).with_for_update())
        assert row is not None
        return row

    def reserve(self, estimate: int) -> date | None:
        """Reserve `estimate` tokens; the day to settle against, or None when spent."""
        day = self.today()
        with session_scope(self._sessions) as session:
            row = self._day_row(session, day)
            if self.daily_tokens and row.spent_tokens + row.reserved_tokens >= self.daily_tokens:
                return None
            row.reserved_tokens += estimate
        return day

    def settle(self, day: date, estimate: int, usage: LlmUsage | None) -> None:
        """Replace a reservation by what the call cost, and record the call (if one went out)."""
        if usage is not None:
            count_llm_call(usage.model, usage.mode, usage.outcome, usage.prompt_tokens, usage.output_tokens)
        with session_scope(self._sessions) as session:
            spent = usage.total_tokens if usage is not None else 0
            session.execute(
                update(LlmBudgetDay)
                .where(LlmBudgetDay.day == day)
                .values(
                    reserved_tokens=LlmBudgetDay.reserved_tokens - estimate,
                    spent_tokens=LlmBudgetDay.spent_tokens + spent,
                )
            )
            if usage is not None:
                usage.day = day
                session.add(usage)

    def spent_today(self) -> int:
        with self._sessions() as session:
            return (
                session.scalar(select(LlmBudgetDay.spent_tokens).where(LlmBudgetDay.day == self.today())) or 0
            )


def cache_key(model: str, text: str, rating: int | None, language: str | None) -> str:
    """Same words, same answer: case and spacing do not make a new entry."""
    normalized = " ".join(text.casefold().split())
    material = f"{PROMPT_VERSION}\x1f{model}\x1f{rating or ''}\x1f{language or ''}\x1f{normalized}"
    return hashlib.sha256(material.encode()).hexdigest()


class ResultCache:
    def __init__(self, sessions: sessionmaker[Session], model: str) -> None:
        self._sessions = sessions
        self._model = model

    def get_many(self, keys: list[str]) -> dict[str, AnalysisResult]:
        if not keys:
            return {}
        with self._sessions() as session:
            rows = session.execute(
                select(LlmCacheEntry.key, LlmCacheEntry.result).where(LlmCacheEntry.key.in_(set(keys)))
            ).all()
        return {key: result_from_json(data) for key, data in rows}

    def put_many(self, results: dict[str, AnalysisResult]) -> None:
        rows = [
            {
                "key": key,
                "model": self._model,
                "result": result_to_json(result),
                "created_at": datetime.now(UTC),
            }
            for key, result in results.items()
        ]
        with session_scope(self._sessions) as session:
            insert_ignoring_duplicates(session, LlmCacheEntry, rows)


@dataclass(frozen=True)
class DayUsage:
    day: date
    calls: int
    failed_calls: int
    items: int
    prompt_tokens: int
    output_tokens: int
    total_tokens: int


def usage_by_day(session: Session, since: date) -> list[DayUsage]:
    """Gemini calls and tokens per UTC day since `since`, oldest first."""
    failed = case((LlmUsage.outcome.in_(("ok", "partial", "malformed", "succeeded")), 0), else_=1)
    rows = session.execute(
        select(
            LlmUsage.day,
            func.count(),
            func.sum(failed),
            func.sum(LlmUsage.items),
            func.sum(LlmUsage.prompt_tokens),
            func.sum(LlmUsage.output_tokens),
            func.sum(LlmUsage.total_tokens),
        )
        .where(LlmUsage.day >= since)
        .group_by(LlmUsage.day)
        .order_by(LlmUsage.day)
    ).all()
    return [DayUsage(day, *(int(v or 0) for v in values)) for day, *values in rows]


def fallbacks_waiting(session: Session) -> int:
    """Items the local analyzer answered in Gemini's stead, not yet re-analyzed."""
    return (
        session.scalar(
            select(func.count()).select_from(LlmFallback).where(LlmFallback.reanalyzed_at.is_(None))
        )
        or 0
    )
