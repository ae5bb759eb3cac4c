"""Errors as JSON with `title` and `description`; never a traceback to the client."""

from __future__ import annotations

import logging
from typing import Any

import falcon

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
