"""The staff list's filters and cursor, shared by the JSON list and the CSV export.

The cursor is the (received_at, id) of the last row seen, so pages stay stable while new
feedback arrives (offsets would skip or repeat rows). Every parameter is checked before it
reaches a query: a time outside FILTER_RANGE, a NUL character or a cursor this API did not
write is a 422 naming it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import get_args

import falcon
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import defer

from ingest.errors import FieldErrors
from ingest.schemas import Channel
from models.tables import Analysis, Feedback, UrgencyDecision

URGENCY_LEVELS = ("critical", "high", "medium", "low")
STATUSES = ("received", "processing", "analyzed", "failed")
TRIAGE_STATES = ("new", "acknowledged", "resolved")
CHANNELS = (*get_args(Channel), "sms", "voice")  # what kiosks and apps send, then Twilio's
MAX_LIMIT = 200
# The times a filter may name; without an offset a time is UTC.
FILTER_RANGE = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
MAX_CURSOR_LENGTH = 200  # a cursor this API wrote is about 110 characters
FEEDBACK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# Lists show no submission time: not reading it keeps them clear of any stored before it was checked.
UNLISTED = defer(Feedback.submitted_at)


def is_feedback_id(value: str) -> bool:
    """Whether a path segment can be a feedback id (a UUID as ingest writes them): anything
    else is a 404 without a query, a NUL character included."""
    return FEEDBACK_ID.match(value) is not None


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


def instant_param(req: falcon.Request, name: str, errors: list[dict[str, str]]) -> datetime | None:
    """An aware time within FILTER_RANGE, or None with an error naming the parameter."""
    value = req.get_param(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors.append({"field": name, "message": "must be an ISO 8601 date or time"})
        return None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    earliest, latest = FILTER_RANGE
    if not earliest <= moment <= latest:
        errors.append({"field": name, "message": f"must be between {earliest.date()} and {latest.date()}"})
        return None
    return moment


def parse_filters(req: falcon.Request) -> FeedbackFilters:
    """Read the query string, or raise 422 naming every bad parameter."""
    errors: list[dict[str, str]] = []
    filters = FeedbackFilters(
        urgency=_choice(req, "urgency", URGENCY_LEVELS, errors),
        status=_choice(req, "status", STATUSES, errors),
        triage_state=_choice(req, "triage_state", TRIAGE_STATES, errors),
        channel=_choice(req, "channel", CHANNELS, errors),
        since=instant_param(req, "since", errors),
        until=instant_param(req, "until", errors),
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
    """The (received_at, id) a cursor carries, or 422: its length is checked before it is
    decoded, and its shape (an aware time and a feedback id) after."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        received_at, feedback_id = json.loads(base64.urlsafe_b64decode(padded))
        moment = datetime.fromisoformat(received_at)
        if moment.tzinfo is None or not is_feedback_id(feedback_id):
            raise ValueError("not a cursor")
        return moment, feedback_id
    except (ValueError, TypeError, binascii.Error):
        raise FieldErrors([{"field": "cursor", "message": "is not a cursor this API returned"}]) from None


def filtered_query(filters: FeedbackFilters) -> Select:
    """Feedback with its analysis and decision (if any), newest first."""
    query = (
        select(Feedback, Analysis, UrgencyDecision)
        .options(UNLISTED)
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
