"""Request bodies, validated by pydantic; the same models feed the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from pipelines.strict_model import StrictModel

Channel = Literal["kiosk", "web", "app", "email", "survey"]


class BodyModel(StrictModel):
    """The base of every request body (see StrictModel)."""


class FeedbackIn(BodyModel):
    """One piece of feedback from a kiosk, web form or app."""

    channel: Channel = "kiosk"
    text: str | None = Field(default=None, max_length=10_000)
    rating: int | None = Field(default=None, ge=1, le=5, strict=True)
    emoji: str | None = Field(default=None, max_length=16)
    language: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    department: str | None = Field(default=None, max_length=64)
    patient_ref: str | None = Field(default=None, max_length=128)
    submitted_at: datetime | None = None

    @model_validator(mode="after")
    def _has_content(self) -> FeedbackIn:
        if not (self.text or self.rating is not None or self.emoji):
            raise ValueError("feedback needs at least one of text, rating or emoji")
        return self
