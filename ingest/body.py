"""Reading a JSON body: content type, size limit, syntax and nesting, each with its own status."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import falcon
from pydantic import BaseModel, ValidationError

from ingest.errors import FieldErrors, error_list

ModelT = TypeVar("ModelT", bound=BaseModel)
# No body of this API nests more than a few levels; deeper is an attack on the parser.
MAX_JSON_DEPTH = 32


def parse_json(raw: bytes | str) -> Any:
    """The parsed document, or 400 when it is not JSON or nests deeper than MAX_JSON_DEPTH
    (the parser itself gives up with RecursionError near a thousand levels)."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise falcon.HTTPBadRequest(
            title="Malformed JSON", description="The body is not valid JSON."
        ) from None
    except RecursionError:
        raise _too_deeply_nested() from None
    if _too_deep(document):
        raise _too_deeply_nested()
    return document


def _too_deeply_nested() -> falcon.HTTPBadRequest:
    return falcon.HTTPBadRequest(
        title="JSON nested too deeply",
        description=f"Arrays and objects may nest at most {MAX_JSON_DEPTH} levels deep.",
    )


def _too_deep(document: Any) -> bool:
    """Whether arrays and objects nest deeper than MAX_JSON_DEPTH (walked without recursion)."""
    level: list[Any] = [document]
    for _ in range(MAX_JSON_DEPTH):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return any(isinstance(node, dict | list) for node in level)


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
    return parse_json(raw)


def _too_large(limit: int) -> falcon.HTTPContentTooLarge:
    return falcon.HTTPContentTooLarge(
        title="Body too large", description=f"The body must be at most {limit} bytes."
    )


def read_model(req: falcon.Request, limit: int, model: type[ModelT]) -> ModelT:
    """A JSON object validated as `model`, or 415, 413, 400 or 422 naming the fields."""
    body = read_json(req, limit)
    if not isinstance(body, dict):
        raise falcon.HTTPBadRequest(title="Malformed body", description="Send a JSON object.")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise FieldErrors(error_list(exc)) from None
