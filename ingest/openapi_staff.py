"""OpenAPI operations of the staff lists, export and analytics."""

from __future__ import annotations

from typing import Any

from ingest.feedback_filters import (
    CHANNELS,
    FILTER_RANGE,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    STATUSES,
    TRIAGE_STATES,
    URGENCY_LEVELS,
)
from ingest.openapi_parts import json_object
from ingest.triage_page import ASSETS
from ingest.triage_queue import DEFAULT_LIMIT, OPEN_STATES

ERROR = {"$ref": "#/components/schemas/Error"}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_RANGE = f"from {FILTER_RANGE[0].date()} to {FILTER_RANGE[1].date()}; without an offset, UTC"
WINDOW = [
    _query("since", {"type": "string", "format": "date-time"}, f"received at or after (ISO 8601, {_RANGE})"),
    _query("until", {"type": "string", "format": "date-time"}, f"received before (ISO 8601, {_RANGE})"),
]
FILTERS = [
    _query("urgency", {"enum": list(URGENCY_LEVELS)}, "urgency level"),
    _query("status", {"enum": list(STATUSES)}, "pipeline status"),
    _query("triage_state", {"enum": list(TRIAGE_STATES)}, "triage state"),
    _query("channel", {"enum": list(CHANNELS)}, "channel"),
    *WINDOW,
]
STAFF_ERRORS = {
    code: {"description": text, "content": {"application/json": {"schema": ERROR}}}
    for code, text in (
        ("401", "No or unknown key"),
        ("403", "Not a staff key"),
        ("422", "Bad query parameters"),
    )
}

LIST_OPERATION = {
    "summary": "List feedback, newest first (staff key)",
    "parameters": [
        *FILTERS,
        _query(
            "cursor", {"type": "string", "maxLength": MAX_CURSOR_LENGTH}, "next_cursor of the previous page"
        ),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "page size (default 50)"),
    ],
    "responses": {
        "200": {
            "description": "A page of items and the cursor of the next page",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["items", "next_cursor"],
                        "properties": {
                            "items": {"type": "array", "items": {"type": "object"}},
                            "next_cursor": {"type": ["string", "null"]},
                        },
                    }
                }
            },
        },
        **STAFF_ERRORS,
    },
}


NULLABLE_NUMBER = {"type": ["number", "null"]}
INTERVAL = {
    "type": ["array", "null"],
    "items": {"type": "number"},
    "minItems": 2,
    "maxItems": 2,
    "description": "95% interval [low, high]; null when withheld",
}
COUNT = {"type": "integer", "minimum": 0}
WITHHELD = {"type": "boolean", "description": "below the minimum sample: counts only"}


SHARES = json_object(
    {
        "n": COUNT,
        "withheld": WITHHELD,
        "values": {
            "type": "object",
            "additionalProperties": json_object(
                {"count": COUNT, "share": NULLABLE_NUMBER, "ci95": INTERVAL}, "one value's count and share"
            ),
        },
    },
    "counts with shares and Wilson intervals",
)
MEAN = json_object(
    {"n": COUNT, "withheld": WITHHELD, "mean": NULLABLE_NUMBER, "ci95": INTERVAL}, "mean rating (1-5)"
)
NPS = json_object(
    {
        "n": COUNT,
        "promoters": COUNT,
        "passives": COUNT,
        "detractors": COUNT,
        "withheld": WITHHELD,
        "score": {"type": ["number", "null"], "minimum": -100, "maximum": 100},
        "ci95": INTERVAL,
    },
    "Net Promoter Score of the surveys of feedback received in the window: 100 x (promoters - detractors) / n",
)
ACK_DELAYS = json_object(
    {
        "n_acknowledged": COUNT,
        "n_open": {**COUNT, "description": "not acknowledged yet"},
        "median_minutes": NULLABLE_NUMBER,
        "p90_minutes": NULLABLE_NUMBER,
        "withheld": WITHHELD,
    },
    "minutes from arrival to the first acknowledgement (or resolution) by staff",
)
AGREEMENT = json_object(
    {
        "n": COUNT,
        "agree": COUNT,
        "share": NULLABLE_NUMBER,
        "ci95": INTERVAL,
        "cohen_kappa": {"type": ["number", "null"], "description": "null when withheld or undefined"},
        "confusion": {
            "type": "object",
            "description": "staff label -> pipeline decision -> count",
            "additionalProperties": {"type": "object", "additionalProperties": COUNT},
        },
        "withheld": WITHHELD,
    },
    "pipeline urgency against staff urgency labels, for feedback that has both",
)
SUMMARY = json_object(
    {
        "since": {"type": "string", "format": "date-time"},
        "until": {"type": "string", "format": "date-time"},
        "min_sample": COUNT,
        "total": COUNT,
        "by_urgency": SHARES,
        "by_sentiment": SHARES,
        "by_channel": SHARES,
        "by_department": SHARES,
        "by_topic": SHARES,
        "rating": MEAN,
        "nps": NPS,
        "time_to_acknowledge": json_object(
            {"critical": ACK_DELAYS, "high": ACK_DELAYS, "overall": ACK_DELAYS},
            "critical and high urgency items, per level and pooled",
        ),
        "model_agreement": AGREEMENT,
    },
    "the window's figures; below min_sample, shares, scores and percentiles are null",
)


NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_LEVEL = {"enum": [*URGENCY_LEVELS, None]}
QUEUE_ITEM = json_object(
    {
        "id": {"type": "string", "format": "uuid"},
        "received_at": {"type": "string", "format": "date-time"},
        "channel": {"type": "string"},
        "department": NULLABLE_STRING,
        "language": NULLABLE_STRING,
        "rating": {"type": ["integer", "null"]},
        "status": {"type": "string"},
        "sentiment_label": {**NULLABLE_STRING, "description": "null until analyzed"},
        "sentiment_score": NULLABLE_NUMBER,
        "urgency_level": {**NULLABLE_LEVEL, "description": "null until scored"},
        "urgency_score": NULLABLE_NUMBER,
        "triage_state": {"enum": list(OPEN_STATES)},
        "text": NULLABLE_STRING,
        "urgency_reasons": {"type": "array", "items": {"type": "string"}, "description": "why this level"},
        "urgency_label": {**NULLABLE_LEVEL, "description": "the staff urgency label, if any"},
    },
    "an open item as a triage row shows it",
)
QUEUE_OPERATION = {
    "summary": "Open items, most urgent level first, newest first within a level (staff key)",
    "description": "What the triage page polls: items not resolved yet; items not scored yet come last.",
    "parameters": [
        _query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            f"how many items (default {DEFAULT_LIMIT})",
        )
    ],
    "responses": {
        "200": {
            "description": "The open items in triage order",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "items": QUEUE_ITEM}},
                    }
                }
            },
        },
        **STAFF_ERRORS,
    },
}


def _static(summary: str, asset: str) -> dict[str, Any]:
    """A file of the triage page: no key, its content type as served."""
    media_type = ASSETS[asset][1].split(";", 1)[0]
    return {
        "get": {
            "summary": summary,
            "security": [],
            "responses": {
                "200": {"description": media_type, "content": {media_type: {"schema": {"type": "string"}}}}
            },
        }
    }


def triage_paths() -> dict[str, Any]:
    return {
        "/v1/triage/queue": {"get": QUEUE_OPERATION},
        "/triage": _static(
            "The staff triage page; it asks for a staff key and sends it with each call", "page"
        ),
        "/triage/app.js": _static("The triage page's script", "script"),
        "/triage/app.css": _static("The triage page's stylesheet", "style"),
    }


def staff_paths() -> dict[str, Any]:
    analytics = {
        "200": {"description": "Counts with 95% intervals; shares withheld below the minimum sample"}
    }
    return {
        "/v1/feedback/export.csv": {
            "get": {
                "summary": "Streamed CSV of the filtered feedback (staff key)",
                "parameters": FILTERS,
                "responses": {
                    "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                    **STAFF_ERRORS,
                },
            }
        },
        "/v1/analytics/summary": {
            "get": {
                "summary": "Counts by urgency, sentiment, topic, channel and department; mean rating, NPS, "
                "time to acknowledge and model agreement",
                "parameters": WINDOW,
                "responses": {
                    "200": {**analytics["200"], "content": {"application/json": {"schema": SUMMARY}}},
                    **STAFF_ERRORS,
                },
            }
        },
        "/v1/analytics/trends": {
            "get": {
                "summary": "Daily counts by urgency and sentiment, daily mean rating",
                "parameters": WINDOW,
                "responses": {**analytics, **STAFF_ERRORS},
            }
        },
    }
