"""The OpenAPI 3.1 document, built from the same pydantic models that validate."""

from __future__ import annotations

from typing import Any

from ingest.openapi_admin import admin_paths, admin_schemas
from ingest.openapi_channels import with_channels
from ingest.openapi_outreach import outreach_paths, outreach_schemas
from ingest.openapi_parts import json_body
from ingest.openapi_staff import LIST_OPERATION, staff_paths, triage_paths
from ingest.openapi_training import TRIAGE_OPERATION, training_paths, training_schemas
from ingest.schemas import FeedbackIn

ERROR = {"$ref": "#/components/schemas/Error"}


def _responses(*codes: int, ok: dict[str, Any] | None = None) -> dict[str, Any]:
    descriptions = {
        400: "Malformed body",
        401: "No or unknown key",
        403: "Wrong role",
        404: "Not found",
        409: "Idempotency key reused with another body",
        413: "Body too large",
        415: "Wrong content type",
        422: "Field errors, naming the fields",
        503: "A dependency is down",
    }
    responses = {
        str(code): {
            "description": descriptions[code],
            "content": {"application/json": {"schema": ERROR}},
        }
        for code in codes
    }
    if ok:
        responses.update(ok)
    return responses


def openapi_document() -> dict[str, Any]:
    feedback_schema = FeedbackIn.model_json_schema()
    accepted = {
        "type": "object",
        "required": ["id", "status"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "status": {"const": "received"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "CarePulse ingest API", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "FeedbackIn": feedback_schema,
                **training_schemas(),
                **admin_schemas(),
                **outreach_schemas(),
                "Error": {
                    "type": "object",
                    "required": ["title"],
                    "properties": {
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            **staff_paths(),
            **triage_paths(),
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "security": [],
                    "responses": {"200": {"description": "Running"}},
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Readiness: database and broker",
                    "security": [],
                    "responses": _responses(503, ok={"200": {"description": "Ready"}}),
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
            "/v1/feedback": {
                "get": LIST_OPERATION,
                "post": {
                    "summary": "Submit feedback (kiosk, integration or staff key)",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 255},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackIn"}}
                        },
                    },
                    "responses": _responses(
                        400,
                        401,
                        403,
                        409,
                        413,
                        415,
                        422,
                        ok={"202": json_body("Stored; processing follows", accepted)},
                    ),
                },
            },
            "/v1/feedback/{id}": {
                "get": {
                    "summary": "One feedback item with its analysis, urgency and alerts (staff key)",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": _responses(
                        401, 403, 404, ok={"200": json_body("The item", {"type": "object"})}
                    ),
                },
                "patch": {
                    **TRIAGE_OPERATION,
                    "description": "Either state sets the item's acknowledged time, if it has none yet, "
                    "and stops its escalation. " + TRIAGE_OPERATION["description"],
                },
            },
            **training_paths(),
            **admin_paths(),
            **outreach_paths(),
        },
    }


class OpenApi:
    def __init__(self) -> None:
        self._document = with_channels(openapi_document())

    def on_get(self, req: Any, resp: Any) -> None:
        resp.media = self._document
