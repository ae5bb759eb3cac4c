"""Reading an appointment import: CSV (a header row naming the fields) or JSON
(`{"appointments": [...]}`), at most 100,000 rows, every row valid or nothing stored."""

from __future__ import annotations

import csv
import io
from typing import Any

import falcon
from pydantic import ValidationError

from ingest.body import parse_json
from ingest.errors import FieldErrors, error_list
from pipelines.reminders.requests import AppointmentRow

MAX_ROWS = 100_000
MAX_REPORTED_ERRORS = 50


def _raw(req: falcon.Request, limit: int) -> bytes:
    if req.content_length is not None and req.content_length > limit:
        raise _too_large(limit)
    raw = req.bounded_stream.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(limit)
    return raw


def _too_large(limit: int) -> falcon.HTTPContentTooLarge:
    return falcon.HTTPContentTooLarge(
        title="Body too large", description=f"The import must be at most {limit} bytes."
    )


def _malformed(description: str) -> falcon.HTTPBadRequest:
    return falcon.HTTPBadRequest(title="Malformed import", description=description)


def _records(media_type: str, raw: bytes) -> list[Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _malformed("The import must be UTF-8.") from None
    if media_type == "text/csv":
        try:
            return [
                {k: v for k, v in row.items() if v not in ("", None)}
                for row in csv.DictReader(io.StringIO(text))
            ]
        except csv.Error:
            raise _malformed("The body is not valid CSV.") from None
    body = parse_json(text)
    if not isinstance(body, dict) or not isinstance(body.get("appointments"), list):
        raise _malformed('Send {"appointments": [...]}.')
    return body["appointments"]


def read_appointments(req: falcon.Request, limit: int) -> list[AppointmentRow]:
    """Every row validated, or 415, 413, 400 or 422 naming the rows and fields at fault."""
    media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in ("text/csv", "application/json"):
        raise falcon.HTTPUnsupportedMediaType(
            title="Unsupported content type", description="Send the import as text/csv or application/json."
        )
    records = _records(media_type, _raw(req, limit))
    if len(records) > MAX_ROWS:
        raise FieldErrors([{"field": "appointments", "message": f"at most {MAX_ROWS} rows per import"}])
    rows, errors = [], []
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            errors.append({"field": f"appointments.{number}", "message": "must be an object"})
            continue
        if None in record:  # a CSV row with more cells than the header has names
            errors.append({"field": f"appointments.{number}", "message": "more cells than header columns"})
            continue
        try:
            rows.append(AppointmentRow.model_validate(record))
        except ValidationError as exc:
            errors.extend(error_list(exc, prefix=f"appointments.{number}"))
    if errors:
        raise FieldErrors(errors[:MAX_REPORTED_ERRORS])
    return rows
