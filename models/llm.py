"""Tables of the Gemini analysis stage: the micro-batch buffer, token usage and budget,
the result cache, and which items fell back to the local analyzer (to re-analyze later).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, BigId, JsonType, utcnow


class LlmPending(Base):
    """An item waiting for the next Gemini micro-batch. The row is the durable buffer:
    a collector that dies leaves it behind with an expired lease for the next one."""

    __tablename__ = "llm_pending"

    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    enqueued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A red flag in the text: claimed first and without waiting for the batch to fill.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LlmUsage(Base):
    """One Gemini call (or Batch-mode job) and the tokens it cost, successful or not."""

    __tablename__ = "llm_usage"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    day: Mapped[date] = mapped_column(Date, index=True)
    model: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))  # "online" | "batch"
    outcome: Mapped[str] = mapped_column(
        String(32)
    )  # "ok" | "partial" | "malformed" | "http_429" | "timeout" | ...
    items: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    total_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)


class LlmBudgetDay(Base):
    """Tokens spent and reserved by calls in flight, per UTC day: the budget's ledger."""

    __tablename__ = "llm_budget_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    spent_tokens: Mapped[int] = mapped_column(Integer, default=0)
    reserved_tokens: Mapped[int] = mapped_column(Integer, default=0)


class LlmCacheEntry(Base):
    """A validated Gemini result, keyed by the hash of the normalized input."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LlmFallback(Base):
    """An item the local analyzer answered although Gemini was configured, and why."""

    __tablename__ = "llm_fallbacks"

    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))  # "breaker_open" | "budget_spent" | "http_500" | ...
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    reanalyzed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    batch_job: Mapped[str | None] = mapped_column(String(128), index=True)


class LlmBatchJob(Base):
    """A Gemini Batch-mode job submitted by `carepulse reanalyze`, collected later."""

    __tablename__ = "llm_batch_jobs"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32), default="submitted")
    items: Mapped[int] = mapped_column(Integer, default=0)
    estimate_tokens: Mapped[int] = mapped_column(Integer, default=0)  # reserved in the budget of budget_day
    budget_day: Mapped[date] = mapped_column(Date)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
