"""OpenAPI operations of staff triage (PATCH /v1/feedback/{id}) and training-run reports."""

from __future__ import annotations

from typing import Any

from ingest.triage import TriageIn

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*pairs: tuple[int, str]) -> dict[str, Any]:
    return {
        str(code): {"description": text, "content": {"application/json": {"schema": ERROR}}}
        for code, text in pairs
    }


_RUN_ID = {
    "name": "run_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": 'a training run id, or "latest"',
}

TRIAGE_OPERATION = {
    "summary": "Acknowledge or resolve an item, with a note and a staff urgency label (staff key; audited)",
    "description": "`urgency_label` is kept as a gold label for the weekly urgency-model retraining.",
    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TriageIn"}}},
    },
    "responses": {
        "200": {"description": "The item as GET returns it", "content": {"application/json": {}}},
        **_errors(
            (400, "Malformed body"),
            (401, "No or unknown key"),
            (403, "Not a staff key"),
            (404, "Not found"),
            (413, "Body too large"),
            (415, "Wrong content type"),
            (422, "Field errors, naming the fields"),
        ),
    },
}


def training_schemas() -> dict[str, Any]:
    return {"TriageIn": TriageIn.model_json_schema()}


def training_paths() -> dict[str, Any]:
    not_found = _errors((401, "No or unknown key"), (403, "Not a staff key"), (404, "No such run"))
    return {
        "/v1/training/runs/{run_id}": {
            "get": {
                "summary": "A training run's report: metrics JSON, decision, image links (staff key)",
                "parameters": [_RUN_ID],
                "responses": {
                    "200": {"description": "The report", "content": {"application/json": {}}},
                    **not_found,
                },
            }
        },
        "/v1/training/runs/{run_id}/{image}": {
            "get": {
                "summary": "The run's confusion matrix or precision-recall curves as PNG (staff key)",
                "parameters": [
                    _RUN_ID,
                    {
                        "name": "image",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": ["confusion.png", "precision_recall.png"]},
                    },
                ],
                "responses": {"200": {"description": "PNG", "content": {"image/png": {}}}, **not_found},
            }
        },
    }
