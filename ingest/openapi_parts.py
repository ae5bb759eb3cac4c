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


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def errors(*pairs: tuple[int, str]) -> dict[str, Any]:
    """Error responses (status, description), each with the JSON error body."""
    return {
        str(code): {"description": text, "content": {"application/json": {"schema": ERROR_REF}}}
        for code, text in pairs
    }


def body_ref(schema_ref: str) -> dict[str, Any]:
    """A required JSON request body of a named component schema."""
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


def path_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}
