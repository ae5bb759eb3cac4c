"""Tables of staff alerting: the on-call roster, escalation cases, hourly digests and
silence (dead kiosk) alerts.

Contact details are never stored in clear: a keyed hash finds a phone number (an `ACK`
reply), Fernet encryption keeps the address readable for sending.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, BigId, UtcDateTime, utcnow


class OnCallEntry(Base):
    """One person on call for a department (or, with no department, for every one) during
    a weekly time window, at a tier of the escalation chain (1 is paged first)."""

    __tablename__ = "oncall_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    weekdays: Mapped[str] = mapped_column(String(7), default="1234567")  # ISO weekdays, 1 = Monday
    starts: Mapped[str] = mapped_column(String(5), default="00:00")  # local HH:MM
    ends: Mapped[str] = mapped_column(String(5), default="24:00")  # before `starts`: crosses midnight
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    email_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Escalation(Base):
    """A critical item's page: who has been paged so far and when the next tier is due.

    `next_at` is cleared once someone acknowledges or the chain is exhausted, so the beat
    check only ever reads open cases. Who acknowledged, and when, is on the item and in the
    audit log.
    """

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"), unique=True)
    department: Mapped[str | None] = mapped_column(String(64))
    ack_code: Mapped[str] = mapped_column(String(8), unique=True)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    next_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    exhausted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AlertDigest(Base):
    """One hourly email listing a department's new high-urgency items to one recipient."""

    __tablename__ = "alert_digests"
    __table_args__ = (
        UniqueConstraint("department", "recipient_hash", "period", name="uq_alert_digests_once"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    department: Mapped[str] = mapped_column(String(64))
    recipient_hash: Mapped[str] = mapped_column(String(64))
    period: Mapped[datetime] = mapped_column(UtcDateTime())
    items: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SilenceAlert(Base):
    """An ops alert that a kiosk or channel went quiet during opening hours: one per
    source and stretch of silence (`silent_since`), however often the check runs."""

    __tablename__ = "silence_alerts"
    __table_args__ = (UniqueConstraint("source", "silent_since", name="uq_silence_alerts_once"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(140))
    silent_since: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
