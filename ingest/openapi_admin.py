"""OpenAPI operations of the admin endpoints: the on-call roster and API keys (admin key only)."""

from __future__ import annotations

from typing import Any

from ingest.admin_resources import KeyIn, OnCallIn
from ingest.openapi_parts import body_ref, errors, json_body, json_object, path_param
from models.keys import ROLES

ADMIN_ERRORS = errors((401, "No or unknown key"), (403, "Not an admin key"))
BODY_ERRORS = errors(
    (400, "Malformed body"),
    (413, "Body too large"),
    (415, "Wrong content type"),
    (422, "Field errors, naming the fields"),
)
NO_CONTENT = {"description": "Done; no body"}
NULLABLE_STRING = {"type": ["string", "null"]}
TIMESTAMP = {"type": "string", "format": "date-time"}

ENTRY = json_object(
    {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "department": {**NULLABLE_STRING, "description": "null: the hospital-wide chain"},
        "tier": {"type": "integer", "minimum": 1, "maximum": 9},
        "weekdays": {"type": "string", "description": "ISO weekday digits, 1 = Monday"},
        "starts": {"type": "string", "description": "local HH:MM"},
        "ends": {"type": "string", "description": "local HH:MM; before starts: the shift crosses midnight"},
        "timezone": {"type": "string", "description": "IANA timezone"},
        "phone": {
            **NULLABLE_STRING,
            "pattern": "^…",
            "description": 'masked to its last digits, e.g. "…0777"',
        },
        "email": {
            **NULLABLE_STRING,
            "pattern": "^…@",
            "description": 'masked to its domain, e.g. "…@hospital.example"',
        },
    },
    "a roster entry, contact details masked",
)
KEY = json_object(
    {
        "name": {"type": "string"},
        "role": {"enum": list(ROLES)},
        "opening_hours": {
            "type": ["string", "null"],
            "description": "a kiosk's own opening hours (HH:MM-HH:MM); null: OPENING_HOURS",
        },
        "created_at": TIMESTAMP,
        "revoked_at": {**TIMESTAMP, "type": ["string", "null"], "description": "null while the key works"},
    },
    "a key without its token",
)
NEW_KEY = json_object(
    {
        "name": {"type": "string"},
        "role": {"enum": list(ROLES)},
        "token": {
            "type": "string",
            "pattern": "^cp_",
            "description": "shown this once; only its hash is kept",
        },
    },
    "the new key and its token",
)


def admin_schemas() -> dict[str, Any]:
    return {"OnCallIn": OnCallIn.model_json_schema(), "KeyIn": KeyIn.model_json_schema()}


def admin_paths() -> dict[str, Any]:
    return {
        "/v1/admin/oncall": {
            "get": {
                "summary": "The on-call roster, by department and tier (admin key)",
                "responses": {
                    "200": json_body(
                        "Every current entry",
                        {
                            "type": "object",
                            "required": ["entries"],
                            "properties": {"entries": {"type": "array", "items": ENTRY}},
                        },
                    ),
                    **ADMIN_ERRORS,
                },
            },
            "post": {
                "summary": "Add a roster entry: a phone number or an email address, a tier and a shift (admin key; audited)",
                "requestBody": body_ref("OnCallIn"),
                "responses": {"201": json_body("The entry", ENTRY), **ADMIN_ERRORS, **BODY_ERRORS},
            },
        },
        "/v1/admin/oncall/{entry_id}": {
            "delete": {
                "summary": "Remove a roster entry (admin key; audited)",
                "parameters": [path_param("entry_id", {"type": "string"}, "the entry's id")],
                "responses": {"204": NO_CONTENT, **ADMIN_ERRORS, **errors((404, "No such entry"))},
            }
        },
        "/v1/admin/keys": {
            "get": {
                "summary": "Every API key, revoked ones too, without tokens (admin key)",
                "responses": {
                    "200": json_body(
                        "The keys, oldest first",
                        {
                            "type": "object",
                            "required": ["keys"],
                            "properties": {"keys": {"type": "array", "items": KEY}},
                        },
                    ),
                    **ADMIN_ERRORS,
                },
            },
            "post": {
                "summary": "Create an API key; its token is in this answer only (admin key; audited)",
                "requestBody": body_ref("KeyIn"),
                "responses": {
                    "201": json_body("The key and its token", NEW_KEY),
                    **ADMIN_ERRORS,
                    **errors((409, "A key with this name exists")),
                    **BODY_ERRORS,
                },
            },
        },
        "/v1/admin/keys/{name}": {
            "delete": {
                "summary": "Revoke a key; it stops working within the key cache time (admin key; audited)",
                "parameters": [path_param("name", {"type": "string"}, "the key's name")],
                "responses": {
                    "204": NO_CONTENT,
                    **ADMIN_ERRORS,
                    **errors((404, "No active key with this name")),
                },
            }
        },
    }
