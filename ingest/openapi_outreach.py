"""OpenAPI operations of outreach: reminders, the appointment import, consent and message
templates (bearer keys), and what patients' mail clients and the providers call unkeyed:
the delivery webhooks (signed by the provider) and the unsubscribe link (signed in its path)."""

from __future__ import annotations

from typing import Any

from sendgrid.helpers.eventwebhook import EventWebhookHeader

from ingest.appointment_file import MAX_ROWS
from ingest.openapi_admin import (
    ADMIN_ERRORS,
    BODY_ERRORS,
    NO_CONTENT,
    NULLABLE_STRING,
    TIMESTAMP,
)
from ingest.openapi_parts import body_ref, errors, json_body, json_object, path_param
from ingest.reminder_resources import ConsentIn, ReminderIn, TemplateIn
from pipelines.reminders.requests import AppointmentRow
from pipelines.reminders.wording import CHANNELS, KINDS, LANGUAGES

OUTREACH_ERRORS = {**ADMIN_ERRORS, **errors((403, "A kiosk key: staff, admin or integration only"))}
NULLABLE_TIMESTAMP = {**TIMESTAMP, "type": ["string", "null"]}
PATIENT_REF = {"type": "string", "minLength": 1, "maxLength": 128}
NOT_SENT = "suppressed: consent revoked or address refused; expired: too late to send"
REMINDER_STATUS = {
    "enum": [
        "scheduled",
        "sending",
        "sent",
        "delivered",
        "failed",
        "expired",
        "suppressed",
        "capped",
        "cancelled",
    ],
    "description": f"{NOT_SENT}; capped: over the daily or weekly cap",
}
HTML_PAGE = {"content": {"text/html": {"schema": {"type": "string"}}}}
BAD_LINK = errors((404, "The link's signature does not match"))

REMINDER = json_object(
    {
        "id": {"type": "string", "format": "uuid"},
        "status": REMINDER_STATUS,
        "kind": {"enum": list(KINDS)},
        "channel": {"enum": list(CHANNELS)},
        "patient_ref": {"type": "string"},
        "to": {"type": "string", "pattern": "^…", "description": 'masked, e.g. "…0123" or "…@example.org"'},
        "timezone": {"type": "string", "description": "IANA timezone of the patient"},
        "language": {"type": "string"},
        "appointment_at": NULLABLE_TIMESTAMP,
        "send_at": TIMESTAMP,
        "sent_at": {**NULLABLE_TIMESTAMP, "description": "null until it went out"},
        "attempts": {"type": "integer", "minimum": 0},
        "delivery_status": {**NULLABLE_STRING, "description": "the provider's last delivery status"},
        "error": NULLABLE_STRING,
        "reply": {
            "anyOf": [
                json_object(
                    {"answer": {"enum": ["confirmed", "reschedule"]}, "at": NULLABLE_TIMESTAMP},
                    "the patient's reply",
                ),
                {"type": "null"},
            ]
        },
    },
    "a reminder, its address masked",
)
SCHEDULED = json_object(
    {
        "id": {"type": "string", "format": "uuid"},
        "status": {"enum": ["scheduled", "suppressed", "expired"], "description": NOT_SENT},
        "send_at": TIMESTAMP,
    },
    "the new reminder and when it goes out",
)
IMPORTED = json_object(
    {name: {"type": "integer", "minimum": 0} for name in ("rows", "created", "updated", "unchanged")},
    "how many rows were read, and what became of their appointments",
)
CONSENT = json_object(
    {"patient_ref": {"type": "string"}, "state": {"enum": ["granted", "revoked"]}},
    "a patient's consent; granted unless revoked",
)
TEMPLATE = json_object(
    {
        "kind": {"enum": list(KINDS)},
        "channel": {"enum": list(CHANNELS)},
        "language": {"enum": list(LANGUAGES)},
        "subject": {**NULLABLE_STRING, "description": "email only"},
        "body": {"type": "string"},
    },
    "a message template",
)


def _header(name: str) -> dict[str, Any]:
    """A provider's signature header: optional in the document, so unsigned calls are tried too."""
    return {"name": name, "in": "header", "required": False, "schema": {"type": "string"}}


def outreach_schemas() -> dict[str, Any]:
    return {
        "ReminderIn": ReminderIn.model_json_schema(),
        "ConsentIn": ConsentIn.model_json_schema(),
        "TemplateIn": TemplateIn.model_json_schema(),
        "AppointmentRow": AppointmentRow.model_json_schema(),
    }


def _reminder_paths() -> dict[str, Any]:
    reminder_id = path_param("reminder_id", {"type": "string", "format": "uuid"}, "the reminder's id")
    patient_ref = path_param("patient_ref", PATIENT_REF, "the patient's reference in the hospital's systems")
    no_reminder = errors((404, "No such reminder"))
    return {
        "/v1/reminders": {
            "post": {
                "summary": "Book one reminder or survey invitation, at send_at or the planned time, "
                "inside the patient's window (staff, admin or integration key)",
                "requestBody": body_ref("ReminderIn"),
                "responses": {"201": json_body("Stored", SCHEDULED), **OUTREACH_ERRORS, **BODY_ERRORS},
            }
        },
        "/v1/reminders/import": {
            "post": {
                "summary": f"Import appointments, CSV or JSON, up to {MAX_ROWS} rows: idempotent per "
                "external_id, every row valid or nothing stored (staff, admin or integration key; audited)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["appointments"],
                                "properties": {
                                    "appointments": {
                                        "type": "array",
                                        "maxItems": MAX_ROWS,
                                        "items": {"$ref": "#/components/schemas/AppointmentRow"},
                                    }
                                },
                            }
                        },
                        "text/csv": {
                            "schema": {
                                "type": "string",
                                "description": "a header row naming AppointmentRow's fields, then a row "
                                "per appointment; an empty cell is an absent field",
                            }
                        },
                    },
                },
                "responses": {
                    "200": json_body("Imported", IMPORTED),
                    **OUTREACH_ERRORS,
                    **BODY_ERRORS,
                    **errors((422, "Field errors, naming the rows: appointments.<row>.<field>")),
                },
            }
        },
        "/v1/reminders/{reminder_id}": {
            "get": {
                "summary": "One reminder: its status, delivery and the patient's reply "
                "(staff, admin or integration key)",
                "parameters": [reminder_id],
                "responses": {"200": json_body("The reminder", REMINDER), **OUTREACH_ERRORS, **no_reminder},
            },
            "delete": {
                "summary": "Cancel a reminder that has not gone out (staff, admin or integration key; audited)",
                "parameters": [reminder_id],
                "responses": {
                    "204": NO_CONTENT,
                    **OUTREACH_ERRORS,
                    **no_reminder,
                    **errors((409, "It is being sent, was sent or failed: too late to cancel")),
                },
            },
        },
        "/v1/consents/{patient_ref}": {
            "get": {
                "summary": "A patient's consent to reminders (staff, admin or integration key)",
                "parameters": [patient_ref],
                "responses": {
                    "200": json_body("The consent", CONSENT),
                    **OUTREACH_ERRORS,
                    **errors((422, "patient_ref empty, over 128 characters or holding NUL")),
                },
            },
            "put": {
                "summary": "Record a patient's consent or its revocation, honoured at once "
                "(staff, admin or integration key; audited)",
                "parameters": [patient_ref],
                "requestBody": body_ref("ConsentIn"),
                "responses": {"200": json_body("The consent", CONSENT), **OUTREACH_ERRORS, **BODY_ERRORS},
            },
        },
    }


def _template_paths() -> dict[str, Any]:
    return {
        "/v1/admin/templates": {
            "get": {
                "summary": "Every template in force: saved ones, else the built-in ones (admin key)",
                "responses": {
                    "200": json_body(
                        "The templates",
                        {
                            "type": "object",
                            "required": ["templates"],
                            "properties": {"templates": {"type": "array", "items": TEMPLATE}},
                        },
                    ),
                    **ADMIN_ERRORS,
                },
            }
        },
        "/v1/admin/templates/{kind}/{channel}/{language}": {
            "put": {
                "summary": "Save a template; one that fails a check (provider named, how to stop, "
                "length, no clinical words) is refused (admin key; audited)",
                "parameters": [
                    path_param("kind", {"enum": list(KINDS)}, "what the message is for"),
                    path_param("channel", {"enum": list(CHANNELS)}, "how it is sent"),
                    path_param("language", {"enum": list(LANGUAGES)}, "the patient's language"),
                ],
                "requestBody": body_ref("TemplateIn"),
                "responses": {
                    "200": json_body("The saved template", TEMPLATE),
                    **ADMIN_ERRORS,
                    **errors((404, "No such kind, channel or language")),
                    **BODY_ERRORS,
                    **errors((422, "Field errors, or the checks the template fails")),
                },
            }
        },
    }


def _unkeyed_paths() -> dict[str, Any]:
    text = {"type": "string"}
    link = [
        path_param("reminder_id", text, "the emailed reminder's id"),
        path_param("signature", {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "the link's signature"),
    ]
    form_errors = errors(
        (400, "Malformed form"),
        (403, "A missing or wrong X-Twilio-Signature"),
        (413, "Body too large"),
        (415, "Wrong content type"),
        (422, "MessageSid or MessageStatus missing"),
    )
    return {
        "/v1/twilio/status": {
            "post": {
                "security": [],
                "summary": "Twilio message status callback: delivered, failed or undelivered",
                "parameters": [_header("X-Twilio-Signature")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["MessageSid", "MessageStatus"],
                                "properties": {
                                    "MessageSid": text,
                                    "MessageStatus": text,
                                    "ErrorCode": text,
                                    "AccountSid": text,
                                },
                            }
                        }
                    },
                },
                "responses": {"204": NO_CONTENT, **form_errors},
            }
        },
        "/v1/sendgrid/events": {
            "post": {
                "security": [],
                "summary": "SendGrid event webhook: deliveries, bounces, unsubscribes and spam reports",
                "parameters": [_header(EventWebhookHeader.SIGNATURE), _header(EventWebhookHeader.TIMESTAMP)],
                "requestBody": {
                    "required": True,
                    **json_body("SendGrid events", {"type": "array", "items": {"type": "object"}}),
                },
                "responses": {
                    "204": NO_CONTENT,
                    **errors(
                        (400, "Signed, but not a JSON array of events"),
                        (403, "A missing or wrong signature, or SENDGRID_WEBHOOK_PUBLIC_KEY unset"),
                        (413, "Body too large"),
                    ),
                },
            }
        },
        "/v1/unsubscribe/{reminder_id}/{signature}": {
            "get": {
                "security": [],
                "summary": "The unsubscribe link's page: a button that POSTs; opening it changes nothing",
                "parameters": link,
                "responses": {"200": {"description": "The confirmation page", **HTML_PAGE}, **BAD_LINK},
            },
            "post": {
                "security": [],
                "summary": "One-click unsubscribe (RFC 8058): revokes the patient's consent and "
                "suppresses the address (audited)",
                "parameters": link,
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"List-Unsubscribe": {"const": "One-Click"}},
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "Unsubscribed", **HTML_PAGE}, **BAD_LINK},
            },
        },
    }


def outreach_paths() -> dict[str, Any]:
    return {**_reminder_paths(), **_template_paths(), **_unkeyed_paths()}
