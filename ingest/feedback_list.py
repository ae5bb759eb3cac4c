"""Staff lists: GET /v1/feedback (JSON, cursor pages) and GET /v1/feedback/export.csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import falcon
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from ingest.feedback_filters import after_cursor, encode_cursor, filtered_query, parse_filters, parse_limit
from ingest.unreadable_rows import readable_page, readable_stream
from models.keys import STAFF_ROLES
from models.tables import Analysis, Feedback, UrgencyDecision

EXPORT_CHUNK = 500
CSV_COLUMNS = (
    "id", "received_at", "channel", "department", "language", "rating", "status",
    "sentiment_label", "sentiment_score", "urgency_level", "urgency_score", "triage_state", "text",
)  # fmt: skip
# Spreadsheet programs run cells that start with these as formulas (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def summary(item: Feedback, analysis: Analysis | None, decision: UrgencyDecision | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "received_at": item.received_at.isoformat(),
        "channel": item.channel,
        "department": item.department,
        "language": (analysis.language if analysis else None) or item.language,
        "rating": item.rating,
        "status": item.status,
        "sentiment_label": analysis.sentiment_label if analysis else None,
        "sentiment_score": analysis.sentiment_score if analysis else None,
        "urgency_level": decision.level if decision else None,
        "urgency_score": decision.score if decision else None,
        "triage_state": item.triage_state,
        "text": item.text,
    }


def _with_position(
    item: Feedback, analysis: Analysis | None, decision: UrgencyDecision | None
) -> tuple[dict[str, Any], tuple[datetime, str]]:
    """The summary and where it sits in the list, for the next page's cursor."""
    return summary(item, analysis, decision), (item.received_at, item.id)


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _StaffReader:
    """A staff-only resource reading through the session factory it was given."""

    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session]) -> None:
        self._auth = auth
        self._sessions = sessions


class FeedbackList(_StaffReader):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, STAFF_ROLES)
        query = filtered_query(parse_filters(req))
        limit = parse_limit(req)
        cursor = req.get_param("cursor")
        if cursor:
            query = after_cursor(query, cursor)
        with self._sessions() as session:
            rows = readable_page(session, query.limit(limit + 1), _with_position, "feedback list")
        page = rows[:limit]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = encode_cursor(*page[-1][1])
        resp.media = {"items": [item for item, _ in page], "next_cursor": next_cursor}
        resp.set_header("Cache-Control", "no-store")


class FeedbackExport(_StaffReader):
    """Streams rows as they are read, so an export of a year needs no memory to speak of."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, STAFF_ROLES)
        query = filtered_query(parse_filters(req))
        resp.content_type = "text/csv; charset=utf-8"
        resp.set_header("Content-Disposition", 'attachment; filename="feedback.csv"')
        resp.set_header("Cache-Control", "no-store")
        resp.stream = self._rows(query)

    def _rows(self, query: Any) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        with self._sessions() as session:
            for row in readable_stream(session, query, summary, "feedback export", EXPORT_CHUNK):
                writer.writerow({key: _safe_cell(value) for key, value in row.items()})
                if buffer.tell() > 64 * 1024:
                    yield buffer.getvalue().encode()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue().encode()
