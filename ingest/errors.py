"""Errors as JSON with `title` and `description`; never a traceback to the client."""

from __future__ import annotations

import logging
from typing import Any

import falcon
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)


class FieldErrors(falcon.HTTPUnprocessableEntity):
    """422 that names each invalid field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        fields = ", ".join(sorted({error["field"] for error in errors}))
        super().__init__(title="Invalid fields", description=f"Check these fields: {fields}")
        self.errors = errors

    def to_dict(self, obj_type: type = dict) -> Any:
        body = super().to_dict(obj_type)
        body["errors"] = self.errors
        return body


DATABASE_RETRY_SECONDS = 5
# The database cannot be reached: every request of the moment fails alike, none by its data.
DATABASE_UNAVAILABLE = (OperationalError, PoolTimeout)


def handle_unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict) -> None:
    """Log the failure (without the body) and answer a plain 500, or a 503 with Retry-After
    while the database is unreachable: nothing was stored, and the kiosk should send again."""
    if isinstance(exc, falcon.HTTPError):
        raise exc
    if isinstance(exc, DATABASE_UNAVAILABLE):
        log.warning(
            "database unavailable on %s %s: %s",
            req.method,
            req.uri_template or "unmatched",
            type(exc).__name__,
        )
        raise falcon.HTTPServiceUnavailable(
            title="Database unavailable",
            description="Nothing was stored; send the request again shortly.",
            retry_after=DATABASE_RETRY_SECONDS,
        )
    log.exception("unhandled error on %s %s", req.method, req.uri_template or "unmatched")
    raise falcon.HTTPInternalServerError(
        title="Internal error", description="The request could not be completed; it was logged."
    )


def error_list(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """pydantic's errors as [{"field", "message"}], field paths under `prefix`."""
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in (prefix, *error["loc"]) if part != "")
        errors.append({"field": path or "body", "message": error["msg"]})
    return errors
