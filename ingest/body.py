"""Reading a JSON body: content type, size limit and syntax, each with its own status."""

from __future__ import annotations

import json
from typing import Any

import falcon


def read_json(req: falcon.Request, limit: int) -> Any:
    """Return the parsed body or raise 415, 413 or 400 before anything is stored."""
    media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise falcon.HTTPUnsupportedMediaType(
            title="Unsupported content type", description="Send the body as application/json."
        )
    if req.content_length is not None and req.content_length > limit:
        raise _too_large(limit)
    raw = req.bounded_stream.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(limit)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise falcon.HTTPBadRequest(
            title="Malformed JSON", description="The body is not valid JSON."
        ) from None


def _too_large(limit: int) -> falcon.HTTPContentTooLarge:
    return falcon.HTTPContentTooLarge(
        title="Body too large", description=f"The body must be at most {limit} bytes."
    )
