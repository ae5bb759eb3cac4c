"""Request bodies, validated by pydantic; the same models feed the OpenAPI document.

Each field holds no more than its column can (tests/ingest/test_body_schemas.py walks
them), so a bad item is its own 422, never a failed commit that takes other kiosks'
items with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from pipelines.departments import DEPARTMENT_PATTERN, MAX_DEPARTMENT_LENGTH
from pipelines.strict_model import StrictModel

Channel = Literal["kiosk", "web", "app", "email", "survey"]
# How far a device's clock may be from ours: a day ahead, and a month behind for a kiosk
# that kept its items offline. Beyond that the clock is wrong, not the patient.
SUBMITTED_AT_AHEAD = timedelta(days=1)
SUBMITTED_AT_BEHIND = timedelta(days=30)


def _recent(value: datetime | None) -> datetime | None:
    """A submission time within the window around now; without an offset it is UTC."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    # Aware datetimes compare as offsets apart, without converting: no year 10000 overflow.
    if not now - SUBMITTED_AT_BEHIND <= aware <= now + SUBMITTED_AT_AHEAD:
        raise ValueError(
            f"must be within {SUBMITTED_AT_BEHIND.days} days before and "
            f"{SUBMITTED_AT_AHEAD.days} day after the time it arrives (check the device's clock)"
        )
    return aware


Department = Annotated[
    str,
    Field(
        max_length=MAX_DEPARTMENT_LENGTH,
        pattern=DEPARTMENT_PATTERN,
        description="a department code: letters, digits, space and -_/.",
    ),
]
Language = Annotated[str, Field(max_length=16, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
SubmittedAt = Annotated[
    datetime,
    AfterValidator(_recent),
    Field(
        description=f"when the device took it: at most {SUBMITTED_AT_BEHIND.days} days before and "
        f"{SUBMITTED_AT_AHEAD.days} day after it arrives; without an offset, UTC"
    ),
]


class BodyModel(StrictModel):
    """The base of every request body (see StrictModel)."""


class FeedbackIn(BodyModel):
    """One piece of feedback from a kiosk, web form or app."""

    # Optional: kiosks, the first and most numerous senders, were built without it.
    channel: Channel = "kiosk"
    text: str | None = Field(default=None, max_length=10_000)
    rating: int | None = Field(default=None, ge=1, le=5, strict=True)
    emoji: str | None = Field(default=None, max_length=16)
    language: Language | None = None
    department: Department | None = None
    patient_ref: str | None = Field(default=None, max_length=128)
    submitted_at: SubmittedAt | None = None

    @model_validator(mode="after")
    def _has_content(self) -> FeedbackIn:
        if not (self.text or self.rating is not None or self.emoji):
            raise ValueError("feedback needs at least one of text, rating or emoji")
        return self
