"""Errors as JSON with `title` and `description`; never a traceback to the client."""

from __future__ import annotations

import logging
from typing import Any

import falcon
from pydantic import ValidationError

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


def handle_unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict) -> None:
    """Log the failure (without the body) and answer a plain 500."""
    if isinstance(exc, falcon.HTTPError):
        raise exc
    log.exception("unhandled error on %s %s", req.method, req.path)
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
