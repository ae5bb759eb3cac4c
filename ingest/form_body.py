"""Reading a form-encoded body (Twilio's webhooks) with a size limit."""

from __future__ import annotations

from urllib.parse import parse_qsl

import falcon


def read_form(req: falcon.Request, limit: int) -> dict[str, str]:
    """The form's fields (the last value of a repeated name), or 415, 413 or 400."""
    media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise falcon.HTTPUnsupportedMediaType(
            title="Unsupported content type", description="Send application/x-www-form-urlencoded."
        )
    raw = req.bounded_stream.read(limit + 1)
    if len(raw) > limit:
        raise falcon.HTTPContentTooLarge(
            title="Body too large", description=f"The body must be at most {limit} bytes."
        )
    try:
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise falcon.HTTPBadRequest(
            title="Malformed form", description="The body is not a valid form."
        ) from None
