"""What a scheduling system or staff send to book outreach: appointment rows of an import,
and single reminders. Validated here so the HTTP layer and the import share one set of rules."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator

from models.contacts import normalize_phone
from pipelines.strict_model import StrictModel

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
# A week inside what datetime holds: no timezone offset, nor the days planning adds, overflows.
EARLIEST = datetime.min + timedelta(days=7)
LATEST = datetime.max - timedelta(days=7)


def within_calendar(value: datetime | None) -> datetime | None:
    """A time the calendar can still shift (into UTC, to the day before): else a field
    error rather than an OverflowError when it is stored or planned."""
    if value is not None and not EARLIEST <= value.replace(tzinfo=None) <= LATEST:
        raise ValueError(f"must be between {EARLIEST.date()} and {LATEST.date()}")
    return value


class ContactFields(StrictModel):
    patient_ref: str = Field(min_length=1, max_length=128)
    channel: Literal["sms", "email"]
    to: str = Field(min_length=3, max_length=254, description="E.164 phone number (sms) or email address")
    timezone: str = Field(min_length=1, max_length=64, description="IANA timezone of the patient")
    language: str = Field(default="en", max_length=2, pattern=r"^[a-z]{2}$")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA timezone such as Europe/Paris") from None
        return value

    @field_validator("to")
    @classmethod
    def _address_fits_channel(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("channel") == "sms":
            value = normalize_phone(value)
            if not E164.match(value):
                raise ValueError("an SMS needs a phone number in E.164 form, such as +14155550123")
        elif not EMAIL.match(value):
            raise ValueError("an email needs an address such as name@example.org")
        return value

    def local(self, moment: datetime) -> datetime:
        """A time without offset is wall-clock time in the patient's timezone."""
        return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(self.timezone))


class AppointmentRow(ContactFields):
    """One row of an appointment import (CSV columns or JSON fields of the same names)."""

    external_id: str = Field(min_length=1, max_length=128)
    appointment_at: datetime
    status: Literal["booked", "cancelled"] = "booked"

    _in_calendar = field_validator("appointment_at")(within_calendar)

    @model_validator(mode="after")
    def _zoned(self) -> AppointmentRow:
        self.appointment_at = self.local(self.appointment_at)
        return self


class ReminderRequest(ContactFields):
    """One reminder or survey invitation, sent at `send_at` or at the planned time."""

    kind: Literal["appointment", "survey_invite"]
    appointment_at: datetime | None = Field(default=None, validate_default=True)
    send_at: datetime | None = None

    _in_calendar = field_validator("appointment_at", "send_at")(within_calendar)

    @field_validator("appointment_at")
    @classmethod
    def _appointment_needs_its_time(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None and info.data.get("kind") == "appointment":
            raise ValueError("an appointment reminder needs the appointment's time")
        return value

    @model_validator(mode="after")
    def _zoned(self) -> ReminderRequest:
        self.appointment_at = self.local(self.appointment_at) if self.appointment_at else None
        self.send_at = self.local(self.send_at) if self.send_at else None
        return self
