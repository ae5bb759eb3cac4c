"""Tasks that gave up after their last retry, kept so that nothing fails silently and an
operator can run them again (`carepulse replay`) once the cause is fixed.

Only the task's name, its arguments (ids, never patient text), the priority it was
delivered at (a fast-lane item is replayed in the fast lane) and the error's class are
kept; error messages can quote SQL parameters, so they are not stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, BigId, JsonType, UtcDateTime, utcnow


class DeadLetter(Base):
    __tablename__ = "dead_letters"
    __table_args__ = (Index("ix_dead_letters_open", "replayed_at", "failed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(64), unique=True)
    task_name: Mapped[str] = mapped_column(String(128))
    args: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    kwargs: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    error: Mapped[str] = mapped_column(String(128))
    retries: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int | None] = mapped_column(Integer)
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    replayed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    replays: Mapped[int] = mapped_column(Integer, default=0)
