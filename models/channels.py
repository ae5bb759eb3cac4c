"""Tables of the inbound channels: audio and its transcript, SMS/voice senders, the
opt-out registry, suppressed outbound messages, kiosk batch sync and survey scores.

Phone numbers are never stored in clear: a keyed hash finds them, Fernet encrypts them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, BigId, JsonType, utcnow


class AudioClip(Base):
    """The audio of one voice or uploaded feedback and what transcription made of it.

    The bytes live in the database so that any worker host can transcribe them; a
    recording not yet downloaded from Twilio has only its `recording_sid`.
    """

    __tablename__ = "audio_clips"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    transcript: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    transcriber: Mapped[str | None] = mapped_column(String(32))
    needs_listening: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    transcribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InboundMessage(Base):
    """One Twilio webhook (SMS or call) by its provider id: a retried webhook is found here."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider_sid: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    feedback_id: Mapped[str | None] = mapped_column(ForeignKey("feedback.id"), index=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OptOut(Base):
    """The latest STOP/START of one phone number, found by its keyed hash."""

    __tablename__ = "opt_outs"

    phone_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(Boolean)
    keyword: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SuppressedMessage(Base):
    """An outbound message not sent because its recipient opted out."""

    __tablename__ = "suppressed_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BatchItem(Base):
    """Which feedback a kiosk's offline item became: unique per (device key, client_id)."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("api_key_id", "client_id", name="uq_batch_items_client"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"))
    client_id: Mapped[str] = mapped_column(String(128))
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"))


class SurveyResponse(Base):
    """A survey's answers and the scores computed from them; free text is the feedback's text."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"), unique=True)
    survey: Mapped[str] = mapped_column(String(128), index=True)
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    nps: Mapped[int | None] = mapped_column(Integer)
    nps_category: Mapped[str | None] = mapped_column(String(16))
    likert_mean: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
