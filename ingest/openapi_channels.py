"""The channel endpoints in the OpenAPI document, and the 429 every limited endpoint may
answer; built from the same pydantic models that validate, so the fuzzer tests the truth."""

from __future__ import annotations

import copy
from typing import Any

from ingest.channel_schemas import AudioMetadata, BatchItemIn, SurveyIn
from ingest.rate_limit import EXEMPT_PATHS

ERROR = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    400: "Malformed body",
    401: "No or unknown key",
    403: "Wrong role, or a missing or wrong X-Twilio-Signature",
    413: "Body too large",
    415: "Wrong content type",
    422: "Field errors, naming the fields",
    429: "Rate limit exceeded; see Retry-After",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}}
ACCEPTED = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {"id": {"type": "string", "format": "uuid"}, "status": {"const": "received"}},
}
TWIML = {"description": "TwiML", "content": {"application/xml": {"schema": {"type": "string"}}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(code): {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ERROR}}}
        for code in codes
    }


def _twilio_webhook(summary: str, fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": [],
            "parameters": [
                {
                    "name": "X-Twilio-Signature",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {"type": "object", "properties": fields, "required": required}
                    }
                },
            },
            "responses": {"200": TWIML, **_errors(400, 403, 413, 415, 422)},
        }
    }


def _json_post(summary: str, schema_ref: str, ok: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
            },
            "responses": {**ok, **_errors(400, 401, 403, 413, 415, 422)},
        }
    }


def _batch_results() -> dict[str, Any]:
    result = {
        "type": "object",
        "required": ["result"],
        "properties": {
            "client_id": {"type": ["string", "null"]},
            "id": {"type": "string", "format": "uuid"},
            "result": {"enum": ["created", "duplicate", "invalid"]},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    }
    return {
        "type": "object",
        "required": ["results"],
        "properties": {"results": {"type": "array", "items": result}},
    }


def channel_paths() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "/v1/twilio/sms": _twilio_webhook(
            "Twilio inbound SMS: STOP/START/HELP, ACK <code> from a paged staff phone (acknowledges the item), "
            "or feedback (channel sms)",
            {"MessageSid": text, "AccountSid": text, "From": text, "To": text, "Body": text},
            ["MessageSid", "From"],
        ),
        "/v1/twilio/voice": _twilio_webhook(
            "Twilio incoming call: TwiML that asks for feedback and records it",
            {"CallSid": text, "AccountSid": text, "From": text, "To": text},
            ["CallSid"],
        ),
        "/v1/twilio/recording": _twilio_webhook(
            "Twilio recording callback: becomes voice feedback, transcribed",
            {
                "RecordingSid": text,
                "RecordingUrl": text,
                "CallSid": text,
                "From": text,
                "RecordingDuration": text,
            },
            ["RecordingSid"],
        ),
        "/v1/feedback/audio": {
            "post": {
                "summary": "Audio feedback (wav, webm/opus, ogg, mp3) with its metadata",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["audio", "metadata"],
                                "properties": {
                                    "audio": {"type": "string", "format": "binary"},
                                    "metadata": {"$ref": "#/components/schemas/AudioMetadata"},
                                },
                            },
                            "encoding": {
                                "audio": {"contentType": "audio/wav, audio/webm, audio/ogg, audio/mpeg"},
                                "metadata": {"contentType": "application/json"},
                            },
                        }
                    },
                },
                "responses": {
                    "202": {
                        "description": "Stored; transcription follows",
                        "content": {"application/json": {"schema": ACCEPTED}},
                    },
                    **_errors(400, 401, 403, 413, 415, 422),
                },
            }
        },
        "/v1/feedback/batch": _json_post(
            "Offline kiosk sync: up to 500 items, each created, duplicate or invalid",
            "BatchIn",
            {
                "200": {
                    "description": "One result per item, in order",
                    "content": {"application/json": {"schema": _batch_results()}},
                }
            },
        ),
        "/v1/surveys/responses": _json_post(
            "A survey response: NPS, Likert, choice and text answers",
            "SurveyIn",
            {
                "202": {
                    "description": "Stored; scores computed",
                    "content": {"application/json": {"schema": ACCEPTED}},
                }
            },
        ),
    }


def channel_schemas() -> dict[str, Any]:
    """Component schemas; pydantic's nested $defs move to components, where the $refs point."""
    survey = SurveyIn.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = survey.pop("$defs", {})
    return {
        "AudioMetadata": AudioMetadata.model_json_schema(),
        "SurveyIn": survey,
        "BatchIn": {
            "type": "object",
            "required": ["items"],
            "additionalProperties": False,
            "properties": {
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 500,
                    "items": BatchItemIn.model_json_schema(),
                }
            },
        },
        **nested,
    }


def with_channels(document: dict[str, Any]) -> dict[str, Any]:
    """The document plus the channel endpoints, and 429 on every rate-limited operation."""
    document = copy.deepcopy(document)
    document["paths"].update(channel_paths())
    schemas = document["components"]["schemas"]
    schemas.update(channel_schemas())
    for path, operations in document["paths"].items():
        if path in EXEMPT_PATHS:
            continue
        for operation in operations.values():
            operation["responses"]["429"] = {**_errors(429)["429"], "headers": RETRY_AFTER}
    return document
