"""Admin endpoints: the on-call roster and API keys; admin keys only, every change audited,
contact details masked on the way out and encrypted at rest."""

from __future__ import annotations

from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.oncall import OnCallEntry
from models.tables import AuditEntry
from tests.ingest.conftest import auth

NURSE = {
    "name": "Ward 3 charge nurse",
    "phone": "+15550100777",
    "email": "charge.nurse@hospital.example",
    "department": "ward-3",
    "tier": 1,
    "weekdays": "12345",
    "starts": "08:00",
    "ends": "20:00",
    "timezone": "Europe/Paris",
}
ROUTES = (
    ("GET", "/v1/admin/oncall", None),
    ("POST", "/v1/admin/oncall", NURSE),
    ("DELETE", "/v1/admin/oncall/1", None),
    ("GET", "/v1/admin/keys", None),
    ("POST", "/v1/admin/keys", {"name": "kiosk-x", "role": "kiosk"}),
    ("DELETE", "/v1/admin/keys/test-kiosk", None),
)


def test_only_admin_keys_reach_admin_routes(client: testing.TestClient, keys: dict[str, str]) -> None:
    for method, path, body in ROUTES:
        assert client.simulate_request(method, path, json=body).status_code == 401
        for role in ("kiosk", "staff"):
            response = client.simulate_request(method, path, json=body, headers=auth(keys[role]))
            assert response.status_code == 403, (method, path, role)


def test_roster_entries_are_added_listed_masked_and_removed(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    admin = auth(keys["admin"])
    created = client.simulate_post("/v1/admin/oncall", json=NURSE, headers=admin)
    assert created.status_code == 201
    assert created.json["phone"] == "…0777" and created.json["email"] == "…@hospital.example"
    listed = client.simulate_get("/v1/admin/oncall", headers=admin).json["entries"]
    assert [(e["name"], e["tier"], e["weekdays"]) for e in listed] == [("Ward 3 charge nurse", 1, "12345")]
    with sessions() as session:
        row = session.scalar(select(OnCallEntry))
    assert NURSE["phone"] not in (row.phone_encrypted or "") and "hospital" not in (row.email_encrypted or "")

    entry = created.json["id"]
    assert client.simulate_delete(f"/v1/admin/oncall/{entry}", headers=admin).status_code == 204
    assert client.simulate_delete(f"/v1/admin/oncall/{entry}", headers=admin).status_code == 404
    assert client.simulate_get("/v1/admin/oncall", headers=admin).json["entries"] == []
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["oncall.add", "oncall.remove"]


def test_bad_roster_entries_name_their_fields(client: testing.TestClient, keys: dict[str, str]) -> None:
    bad = {**NURSE, "phone": "5550100", "timezone": "Mars/Olympus", "starts": "8am", "tier": 0}
    response = client.simulate_post("/v1/admin/oncall", json=bad, headers=auth(keys["admin"]))
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {"phone", "timezone", "starts", "tier"}
    extra = client.simulate_post("/v1/admin/oncall", json={**NURSE, "pager": 1}, headers=auth(keys["admin"]))
    assert extra.status_code == 422


def test_admins_create_list_and_revoke_keys(client: testing.TestClient, keys: dict[str, str]) -> None:
    admin = auth(keys["admin"])
    created = client.simulate_post("/v1/admin/keys", json={"name": "lobby-2", "role": "kiosk"}, headers=admin)
    assert created.status_code == 201 and created.json["token"].startswith("cp_")
    again = client.simulate_post("/v1/admin/keys", json={"name": "lobby-2", "role": "kiosk"}, headers=admin)
    assert again.status_code == 409
    post = client.simulate_post(
        "/v1/feedback", json={"channel": "kiosk", "rating": 5}, headers=auth(created.json["token"])
    )
    assert post.status_code == 202
    names = {k["name"]: k for k in client.simulate_get("/v1/admin/keys", headers=admin).json["keys"]}
    assert names["lobby-2"]["role"] == "kiosk" and "token" not in names["lobby-2"]
    assert client.simulate_delete("/v1/admin/keys/lobby-2", headers=admin).status_code == 204
    assert client.simulate_delete("/v1/admin/keys/lobby-2", headers=admin).status_code == 404
    refused = client.simulate_post(
        "/v1/feedback", json={"channel": "kiosk", "rating": 5}, headers=auth(created.json["token"])
    )
    assert refused.status_code == 401


def test_odd_ids_names_and_nul_characters_are_client_errors(
    client: testing.TestClient, keys: dict[str, str]
) -> None:
    admin = auth(keys["admin"])
    for path in ("/v1/admin/oncall/%C2%B2", "/v1/admin/oncall/9223372036854775808", "/v1/admin/keys/a%00b"):
        assert client.simulate_delete(path, headers=admin).status_code == 404, path
    for body in ({**NURSE, "name": "a\x00b"}, {**NURSE, "department": "w\x00"}):
        response = client.simulate_post("/v1/admin/oncall", json=body, headers=admin)
        assert response.status_code == 422
    response = client.simulate_post("/v1/admin/keys", json={"name": "k\x00", "role": "kiosk"}, headers=admin)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "name"
    feedback = client.simulate_post(
        "/v1/feedback", json={"text": "nul \x00 here"}, headers=auth(keys["kiosk"])
    )
    assert feedback.status_code == 422
    assert client.simulate_get("/v1/triage/queue?limit=²", headers=auth(keys["staff"])).status_code == 422


def test_kiosk_keys_may_have_opening_hours(client: testing.TestClient, keys: dict[str, str]) -> None:
    admin = auth(keys["admin"])
    body = {"name": "clinic-1", "role": "kiosk", "opening_hours": "13:00-17:00"}
    assert client.simulate_post("/v1/admin/keys", json=body, headers=admin).status_code == 201
    listed = {k["name"]: k for k in client.simulate_get("/v1/admin/keys", headers=admin).json["keys"]}
    assert (
        listed["clinic-1"]["opening_hours"] == "13:00-17:00" and listed["test-kiosk"]["opening_hours"] is None
    )
    for bad in ({**body, "name": "c2", "opening_hours": "1pm-5pm"}, {**body, "name": "c3", "role": "staff"}):
        response = client.simulate_post("/v1/admin/keys", json=bad, headers=admin)
        assert response.status_code == 422 and response.json["errors"][0]["field"] == "opening_hours"
