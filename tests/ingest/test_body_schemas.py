"""Every request body holds no more than its table can: a string field mapped to a
VARCHAR column has a max_length (or Literal values) within the column's length, so a
long value is the sender's own 422, never a commit that fails other kiosks' items."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import Column, String, Table

from ingest.admin_resources import KeyIn, OnCallIn
from ingest.channel_schemas import (
    AudioMetadata,
    BatchIn,
    BatchItemIn,
    ChoiceAnswer,
    LikertAnswer,
    NpsAnswer,
    SurveyIn,
    TextAnswer,
)
from ingest.reminder_resources import ConsentIn, ReminderIn, TemplateIn
from ingest.schemas import BodyModel, FeedbackIn
from ingest.triage import TriageIn
from models.channels import BatchItem, SurveyResponse
from models.keys import ApiKey
from models.oncall import OnCallEntry
from models.reminders import Appointment, Consent, MessageTemplate, Reminder
from models.tables import Base, Feedback
from models.urgency_models import UrgencyLabel
from pipelines.reminders.requests import AppointmentRow

# Each body and the tables its fields are stored in, by column name.
STORED_IN: dict[type[BaseModel], tuple[type[Base], ...]] = {
    FeedbackIn: (Feedback,),
    AudioMetadata: (Feedback,),
    BatchItemIn: (Feedback, BatchItem),
    SurveyIn: (Feedback, SurveyResponse),
    TriageIn: (Feedback,),
    OnCallIn: (OnCallEntry,),
    KeyIn: (ApiKey,),
    ReminderIn: (Reminder,),
    AppointmentRow: (Appointment,),
    ConsentIn: (Consent,),
    TemplateIn: (MessageTemplate,),
}
# Fields stored under another name.
RENAMED = {(TriageIn, "urgency_label"): UrgencyLabel.__table__.c.label}
# Bodies that are no row of their own: an envelope, and survey answers kept as one JSON document.
NOT_STORED_AS_COLUMNS = {BatchIn, NpsAnswer, LikertAnswer, ChoiceAnswer, TextAnswer}


def _subclasses(model: type[BaseModel]) -> set[type[BaseModel]]:
    found = set()
    for sub in model.__subclasses__():
        if not sub.__name__.startswith("_"):
            found.add(sub)
        found |= _subclasses(sub)
    return found


def _longest(annotation: Any, constraints: list[Any]) -> int | None:
    """The longest string the annotation admits; None when unbounded; 0 when not a string."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        nested = [item for info in extra if isinstance(info, FieldInfo) for item in info.metadata]
        return _longest(inner, [*constraints, *extra, *nested])
    if origin in (Union, types.UnionType):
        lengths = [_longest(arg, constraints) for arg in get_args(annotation) if arg is not type(None)]
        return None if None in lengths else max(lengths)
    if origin is Literal:
        return max(len(value) for value in get_args(annotation) if isinstance(value, str))
    if annotation is str:
        bounds = [c.max_length for c in constraints if isinstance(c, annotated_types.MaxLen)]
        return min(bounds) if bounds else None
    return 0


def _columns(model: type[BaseModel]) -> list[tuple[str, FieldInfo, Column]]:
    tables: list[Table] = [orm.__table__ for orm in STORED_IN[model]]  # type: ignore[misc]
    pairs = []
    for name, field in model.model_fields.items():
        column = RENAMED.get((model, name), next((t.c[name] for t in tables if name in t.c), None))
        if column is not None:
            pairs.append((name, field, column))
    return pairs


def test_every_request_body_is_walked() -> None:
    bodies = _subclasses(BodyModel) | {AppointmentRow}
    assert bodies - NOT_STORED_AS_COLUMNS == set(STORED_IN)


@pytest.mark.parametrize("model", list(STORED_IN), ids=lambda model: model.__name__)
def test_no_string_field_holds_more_than_its_column(model: type[BaseModel]) -> None:
    too_long = []
    for name, field, column in _columns(model):
        if not isinstance(column.type, String) or column.type.length is None:
            continue
        longest = _longest(field.annotation, list(field.metadata))
        if longest is None or longest > column.type.length:
            too_long.append(
                f"{name}: {longest or 'unbounded'} > {column.table.name}.{column.name}({column.type.length})"
            )
    assert not too_long, f"{model.__name__} can hold more than its columns: {too_long}"


def test_the_walk_catches_an_overlong_field() -> None:
    class Loose(BodyModel):
        language: str | None = None

    assert _longest(Loose.model_fields["language"].annotation, []) is None
    assert _longest(FeedbackIn.model_fields["language"].annotation, []) == 16
