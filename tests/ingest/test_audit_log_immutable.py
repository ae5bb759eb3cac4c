"""The audit log cannot be altered through the API: every route, called by an admin with a
body that tries to rewrite history, leaves every existing entry exactly as it was; the
log only grows."""

from __future__ import annotations

from typing import Any

from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.tables import AuditEntry
from tests.ingest.conftest import auth
from tests.ingest.test_role_walk import ACCESS, concrete

FORGED = {
    "id": 1,
    "actor": "someone-else",
    "action": "nothing.happened",
    "target": None,
    "details": {},
    "at": "2000-01-01T00:00:00Z",
    "triage_state": "resolved",
    "note": "rewritten",
    "name": "walk-admin",
    "role": "admin",
}


def audit_rows(sessions: sessionmaker[Session]) -> dict[int, tuple[Any, ...]]:
    with sessions() as session:
        return {
            entry.id: (entry.at, entry.actor, entry.action, entry.target, entry.details)
            for entry in session.scalars(select(AuditEntry))
        }


def test_no_route_rewrites_or_deletes_audit_entries(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    created = client.simulate_post(
        "/v1/feedback", json={"text": "the ward was loud"}, headers=auth(keys["kiosk"])
    )
    feedback_id = created.json["id"]
    patched = client.simulate_patch(
        f"/v1/feedback/{feedback_id}",
        json={"triage_state": "acknowledged", "note": "spoke to the night team"},
        headers=auth(keys["staff"]),
    )
    assert patched.status_code == 200
    made = client.simulate_post(
        "/v1/admin/keys", json={"name": "lobby-2", "role": "kiosk"}, headers=auth(keys["admin"])
    )
    assert made.status_code == 201
    before = audit_rows(sessions)
    assert len(before) >= 2

    for method, template in sorted(ACCESS):
        if method == "GET":
            continue
        path = concrete(template.replace("{feedback_id}", feedback_id))
        response = client.simulate_request(method, path, json=FORGED, headers=auth(keys["admin"]))
        if (method, template) == ("PATCH", "/v1/feedback/{feedback_id}"):
            assert response.status_code == 422, "a triage change must not accept audit fields"

    # The forged PATCH was refused (unknown fields), so resolving it honestly adds an entry.
    resolved = client.simulate_patch(
        f"/v1/feedback/{feedback_id}", json={"triage_state": "resolved"}, headers=auth(keys["admin"])
    )
    assert resolved.status_code == 200
    after = audit_rows(sessions)
    assert {entry_id: after.get(entry_id) for entry_id in before} == before
    assert len(after) > len(before)
