"""PATCH /v1/feedback/{id} (staff triage, audited, labels for retraining) and the staff
endpoints serving a training run's report."""

from __future__ import annotations

from pathlib import Path

from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import AuditEntry
from models.urgency_models import UrgencyLabel
from pipelines.training.retrain import ensure_champion
from tests.ingest.conftest import auth


def _feedback(client: testing.TestClient, keys: dict[str, str]) -> str:
    created = client.simulate_post(
        "/v1/feedback", json={"text": "the food was cold"}, headers=auth(keys["kiosk"])
    )
    return created.json["id"]


def test_staff_acknowledge_and_resolve_with_notes_and_a_label(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    feedback_id = _feedback(client, keys)
    first = client.simulate_patch(
        f"/v1/feedback/{feedback_id}",
        json={"triage_state": "acknowledged", "note": "called the kitchen", "urgency_label": "medium"},
        headers=auth(keys["staff"]),
    )
    assert first.status_code == 200
    assert first.json["triage"]["state"] == "acknowledged"
    assert first.json["triage"]["urgency_label"] == "medium"
    assert [note["note"] for note in first.json["triage"]["notes"]] == ["called the kitchen"]
    assert first.json["triage"]["notes"][0]["by"] == "test-staff"

    second = client.simulate_patch(
        f"/v1/feedback/{feedback_id}",
        json={"triage_state": "resolved", "urgency_label": "low"},
        headers=auth(keys["admin"]),
    )
    assert second.status_code == 200
    triage = client.simulate_get(f"/v1/feedback/{feedback_id}", headers=auth(keys["staff"])).json["triage"]
    assert triage["state"] == "resolved" and triage["urgency_label"] == "low"
    assert len(triage["notes"]) == 1

    with sessions() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.target == feedback_id).order_by(AuditEntry.id)
        )
        assert [(entry.actor, entry.action, entry.details["triage_state"]) for entry in audit] == [
            ("test-staff", "feedback.triage", "acknowledged"),
            ("test-admin", "feedback.triage", "resolved"),
        ]
        label = session.scalar(select(UrgencyLabel).where(UrgencyLabel.feedback_id == feedback_id))
        assert label is not None and (label.label, label.labeled_by) == ("low", "test-admin")


def test_triage_errors(client: testing.TestClient, keys: dict[str, str]) -> None:
    feedback_id = _feedback(client, keys)
    path = f"/v1/feedback/{feedback_id}"
    bad_state = client.simulate_patch(path, json={"triage_state": "closed"}, headers=auth(keys["staff"]))
    assert bad_state.status_code == 422
    assert [error["field"] for error in bad_state.json["errors"]] == ["triage_state"]
    bad_label = client.simulate_patch(
        path, json={"triage_state": "resolved", "urgency_label": "urgent"}, headers=auth(keys["staff"])
    )
    assert bad_label.status_code == 422 and bad_label.json["errors"][0]["field"] == "urgency_label"
    assert (
        client.simulate_patch(
            path, json={"triage_state": "resolved"}, headers=auth(keys["kiosk"])
        ).status_code
        == 403
    )
    assert client.simulate_patch(path, json={"triage_state": "resolved"}).status_code == 401
    missing = client.simulate_patch(
        "/v1/feedback/nope", json={"triage_state": "resolved"}, headers=auth(keys["staff"])
    )
    assert missing.status_code == 404 and missing.json["title"] == "Not found"
    text = client.simulate_patch(
        path, body="x", headers={**auth(keys["staff"]), "Content-Type": "text/plain"}
    )
    assert text.status_code == 415


def test_training_run_report_for_staff(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_scope(sessions) as session:
        ensure_champion(session, tmp_path)
    report = client.simulate_get("/v1/training/runs/latest", headers=auth(keys["staff"]))
    assert report.status_code == 200
    body = report.json
    assert body["trigger"] == "bootstrap" and body["promoted"] is True
    assert body["report"]["challenger"]["metrics"]["held_out"]["pipeline"]["macro_f1"] > 0.8
    for url in body["images"].values():
        image = client.simulate_get(url, headers=auth(keys["staff"]))
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    run = body["id"]
    assert client.simulate_get(f"/v1/training/runs/{run}", headers=auth(keys["staff"])).json["id"] == run
    assert client.simulate_get("/v1/training/runs/999", headers=auth(keys["staff"])).status_code == 404
    assert (
        client.simulate_get(f"/v1/training/runs/{run}/x.png", headers=auth(keys["staff"])).status_code == 404
    )
    assert client.simulate_get("/v1/training/runs/latest", headers=auth(keys["kiosk"])).status_code == 403


def test_openapi_documents_triage_and_reports(client: testing.TestClient) -> None:
    document = client.simulate_get("/openapi.json").json
    assert "patch" in document["paths"]["/v1/feedback/{id}"]
    assert {"/v1/training/runs/{run_id}", "/v1/training/runs/{run_id}/{image}"} <= set(document["paths"])
    assert "TriageIn" in document["components"]["schemas"]
