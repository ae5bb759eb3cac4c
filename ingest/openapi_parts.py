"""Small builders the OpenAPI modules share, so every part of the document is shaped alike."""

from __future__ import annotations

from typing import Any


def json_body(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A response (or request body) of JSON with this schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    """An object whose listed properties are all present."""
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "description": description,
    }
