"""Request bodies of the channel endpoints (audio metadata, surveys, kiosk batches);
the same models feed the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from ingest.schemas import BodyModel, Department, FeedbackIn, Language, SubmittedAt

MAX_BATCH_ITEMS = 500


class AudioMetadata(FeedbackIn):
    """The `metadata` part of an audio upload: feedback fields, the audio being the content."""

    @model_validator(mode="after")
    def _has_content(self) -> AudioMetadata:
        return self


class _Answer(BodyModel):
    question: str = Field(min_length=1, max_length=200)


class NpsAnswer(_Answer):
    type: Literal["nps"]
    value: int = Field(ge=0, le=10, strict=True)


class LikertAnswer(_Answer):
    type: Literal["likert"]
    value: int = Field(ge=1, le=5, strict=True)


class ChoiceAnswer(_Answer):
    type: Literal["choice"]
    value: str = Field(min_length=1, max_length=200)


class TextAnswer(_Answer):
    type: Literal["text"]
    value: str = Field(max_length=10_000)


Answer = Annotated[NpsAnswer | LikertAnswer | ChoiceAnswer | TextAnswer, Field(discriminator="type")]


class SurveyIn(BodyModel):
    """One completed survey: scores are computed from it, free text is analyzed."""

    survey: str = Field(min_length=1, max_length=128)
    answers: list[Answer] = Field(min_length=1, max_length=100)
    language: Language | None = None
    department: Department | None = None
    patient_ref: str | None = Field(default=None, max_length=128)
    submitted_at: SubmittedAt | None = None


class BatchIn(BodyModel):
    """The envelope of an offline kiosk sync; each item is validated on its own."""

    items: list[Any] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)


class BatchItemIn(FeedbackIn):
    """One offline item: a feedback plus the kiosk's own id for it."""

    client_id: str = Field(min_length=1, max_length=128)
