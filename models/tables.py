"""The tables of CarePulse.

The database is the source of truth: queues only ever carry feedback ids. Unique
constraints are what make every stage idempotent (one analysis, one urgency decision,
one alert per feedback, recipient and channel).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend: SQLite keeps no offset, so naive values
    read back are UTC, and aware values are converted to UTC before they are stored."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ApiKey(Base):
    """A kiosk, integration or staff credential; only a hash of its secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64))
    opening_hours: Mapped[str | None] = mapped_column(String(11))  # a kiosk's own, else OPENING_HOURS
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Feedback(Base):
    """One piece of patient feedback as it arrived, plus where it is in the pipeline."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key", name="uq_feedback_idempotency"),
        Index("ix_feedback_status_received", "status", "received_at"),
        Index("ix_feedback_received", "received_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    emoji: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(64))
    patient_ref: Mapped[str | None] = mapped_column(String(128))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="received")
    failure_reason: Mapped[str | None] = mapped_column(Text)
    triage_state: Mapped[str] = mapped_column(String(16), default="new")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # retention removed its free text


class OutboxEntry(Base):
    """A chain start that must reach the broker; written in the feedback's transaction."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "published_at", "created_at"),
        Index("ix_outbox_feedback", "feedback_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Analysis(Base):
    """What an analyzer read in a feedback's text: exactly one per feedback."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"), unique=True)
    analyzer: Mapped[str] = mapped_column(String(32))
    sentiment_label: Mapped[str] = mapped_column(String(16))
    sentiment_score: Mapped[float] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(16))
    emotions: Mapped[list[str]] = mapped_column(JsonType, default=list)
    topics: Mapped[list[str]] = mapped_column(JsonType, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    urgency_hint: Mapped[str | None] = mapped_column(String(16))
    timing: Mapped[str | None] = mapped_column(String(16))  # when the danger happens; None: unknown
    experiencer: Mapped[str | None] = mapped_column(String(16))  # whom it is about; None: unknown
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class UrgencyDecision(Base):
    """How urgent a feedback is and why: exactly one per feedback."""

    __tablename__ = "urgency_decisions"
    __table_args__ = (Index("ix_urgency_level_created", "level", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"), unique=True)
    level: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)
    analyzer: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Alert(Base):
    """A notice to one staff member about one feedback: unique per recipient and channel,
    whatever retries happen. `recipient` is a name for people to read; the address is
    kept encrypted, and its keyed hash is what makes the row unique and matches ACK replies.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("feedback_id", "recipient_hash", "channel", name="uq_alerts_once"),
        Index("ix_alerts_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(255))
    recipient_hash: Mapped[str] = mapped_column(String(64))
    recipient_encrypted: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    digest_id: Mapped[int | None] = mapped_column(BigId, index=True)  # alert_digests.id of a high item
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims taken, with its batch
    error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SentMessage(Base):
    """What the offline sender 'sent': the record that replaces Twilio and SendGrid offline.
    The recipient is kept only as its keyed hash (models.contacts), like every contact."""

    __tablename__ = "sent_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient_hash: Mapped[str] = mapped_column(String(64))  # keyed hash: the address is never kept
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuditEntry(Base):
    """Who did what, when: append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
