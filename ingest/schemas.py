"""Request bodies, validated by pydantic; the same models feed the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Channel = Literal["kiosk", "web", "app", "email", "survey"]


class BodyModel(BaseModel):
    """The base of every request body: unknown fields refused, text trimmed, and no NUL
    character anywhere (PostgreSQL cannot store one, so it must be a 422, not a 500)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value


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
