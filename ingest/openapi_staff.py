"""OpenAPI operations of the staff lists, export and analytics."""

from __future__ import annotations

from typing import Any

from ingest.feedback_filters import MAX_LIMIT, STATUSES, TRIAGE_STATES, URGENCY_LEVELS

ERROR = {"$ref": "#/components/schemas/Error"}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


WINDOW = [
    _query("since", {"type": "string", "format": "date-time"}, "received at or after (ISO 8601)"),
    _query("until", {"type": "string", "format": "date-time"}, "received before (ISO 8601)"),
]
FILTERS = [
    _query("urgency", {"enum": list(URGENCY_LEVELS)}, "urgency level"),
    _query("status", {"enum": list(STATUSES)}, "pipeline status"),
    _query("triage_state", {"enum": list(TRIAGE_STATES)}, "triage state"),
    _query("channel", {"type": "string", "maxLength": 16}, "channel"),
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
        _query("cursor", {"type": "string"}, "next_cursor of the previous page"),
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
                "summary": "Counts by urgency, sentiment, topic, channel and department; mean rating",
                "parameters": WINDOW,
                "responses": {**analytics, **STAFF_ERRORS},
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
