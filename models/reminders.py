"""Tables of patient outreach: appointments, the reminders and survey invitations planned
from them, one consent record per patient, contacts the providers refused for good,
delivery events, and the message templates staff saved.

Contact details are never stored in clear: a keyed hash finds an address, Fernet keeps it
readable for sending (models.contacts).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, BigId, UtcDateTime, utcnow


class Appointment(Base):
    """One booked appointment from the hospital's scheduling system, unique by its id there."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    patient_ref: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient_hash: Mapped[str] = mapped_column(String(64), index=True)
    recipient_encrypted: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    appointment_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | cancelled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Reminder(Base):
    """One message to one patient: an appointment reminder or a survey invitation.

    `send_at` is inside the recipient's allowed window in their own timezone; the dispatcher
    claims due rows (`sending`, with `claimed_at`) before calling the provider, so a
    reminder is sent at most once. Planned reminders are unique per appointment and kind.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("appointment_id", "kind", name="uq_reminders_once"),
        Index("ix_reminders_due", "status", "send_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    kind: Mapped[str] = mapped_column(String(16))  # appointment | survey_invite
    patient_ref: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient_hash: Mapped[str] = mapped_column(String(64), index=True)
    recipient_encrypted: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    appointment_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    send_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(255))
    reply: Mapped[str | None] = mapped_column(String(16))  # confirmed | reschedule
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(100), default="plan")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Consent(Base):
    """A patient's consent to reminders, across SMS, email, IVR and kiosk: the latest
    change wins. No row means the consent given with the contact details at booking."""

    __tablename__ = "consents"

    patient_ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # granted | revoked
    via: Mapped[str] = mapped_column(String(16))  # sms | email | ivr | kiosk | staff
    reason: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SuppressedContact(Base):
    """An address a provider refused for good (invalid, landline, bounced, spam report):
    nothing is sent to it again."""

    __tablename__ = "suppressed_contacts"

    contact_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DeliveryEvent(Base):
    """One provider callback, by its own id (SendGrid's `sg_event_id`, Twilio's sid and
    status): a repeated callback changes nothing."""

    __tablename__ = "delivery_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(160), unique=True)
    provider: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(32))
    reminder_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class MessageTemplate(Base):
    """A template staff saved in place of the built-in one, checked before it was stored."""

    __tablename__ = "message_templates"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
