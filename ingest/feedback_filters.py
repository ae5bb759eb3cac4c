"""The staff list's filters and cursor, shared by the JSON list and the CSV export.

The cursor is the (received_at, id) of the last row seen, so pages stay stable while new
feedback arrives (offsets would skip or repeat rows).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

import falcon
from sqlalchemy import Select, and_, or_, select

from ingest.errors import FieldErrors
from models.tables import Analysis, Feedback, UrgencyDecision

URGENCY_LEVELS = ("critical", "high", "medium", "low")
STATUSES = ("received", "processing", "analyzed", "failed")
TRIAGE_STATES = ("new", "acknowledged", "resolved")
MAX_LIMIT = 200


@dataclass(frozen=True)
class FeedbackFilters:
    urgency: str | None = None
    status: str | None = None
    triage_state: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _choice(
    req: falcon.Request, name: str, allowed: tuple[str, ...], errors: list[dict[str, str]]
) -> str | None:
    value = req.get_param(name)
    if value is not None and value not in allowed:
        errors.append({"field": name, "message": f"must be one of {', '.join(allowed)}"})
        return None
    return value


def _instant(req: falcon.Request, name: str, errors: list[dict[str, str]]) -> datetime | None:
    value = req.get_param(name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        errors.append({"field": name, "message": "must be an ISO 8601 date or time"})
        return None


def parse_filters(req: falcon.Request) -> FeedbackFilters:
    """Read the query string, or raise 422 naming every bad parameter."""
    errors: list[dict[str, str]] = []
    filters = FeedbackFilters(
        urgency=_choice(req, "urgency", URGENCY_LEVELS, errors),
        status=_choice(req, "status", STATUSES, errors),
        triage_state=_choice(req, "triage_state", TRIAGE_STATES, errors),
        channel=req.get_param("channel"),
        since=_instant(req, "since", errors),
        until=_instant(req, "until", errors),
    )
    if errors:
        raise FieldErrors(errors)
    return filters


def parse_limit(req: falcon.Request, default: int = 50) -> int:
    raw = req.get_param("limit")
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise FieldErrors([{"field": "limit", "message": f"must be a whole number from 1 to {MAX_LIMIT}"}])
    return int(raw)


def encode_cursor(received_at: datetime, feedback_id: str) -> str:
    raw = json.dumps([received_at.isoformat(), feedback_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        received_at, feedback_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(received_at), str(feedback_id)
    except (ValueError, TypeError):
        raise FieldErrors([{"field": "cursor", "message": "is not a cursor this API returned"}]) from None


def filtered_query(filters: FeedbackFilters) -> Select:
    """Feedback with its analysis and decision (if any), newest first."""
    query = (
        select(Feedback, Analysis, UrgencyDecision)
        .outerjoin(Analysis, Analysis.feedback_id == Feedback.id)
        .outerjoin(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
    )
    if filters.urgency:
        query = query.where(UrgencyDecision.level == filters.urgency)
    if filters.status:
        query = query.where(Feedback.status == filters.status)
    if filters.triage_state:
        query = query.where(Feedback.triage_state == filters.triage_state)
    if filters.channel:
        query = query.where(Feedback.channel == filters.channel)
    if filters.since:
        query = query.where(Feedback.received_at >= filters.since)
    if filters.until:
        query = query.where(Feedback.received_at < filters.until)
    return query


def after_cursor(query: Select, cursor: str) -> Select:
    received_at, feedback_id = decode_cursor(cursor)
    return query.where(
        or_(
            Feedback.received_at < received_at,
            and_(Feedback.received_at == received_at, Feedback.id < feedback_id),
        )
    )
