"""GET /v1/feedback/{id}, health, readiness and the OpenAPI document."""

from __future__ import annotations

from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from tests.ingest.conftest import auth, make_client
from workers.chains import CeleryPublisher


def test_staff_reads_a_received_item(client: testing.TestClient, keys: dict[str, str]) -> None:
    created = client.simulate_post(
        "/v1/feedback", json={"text": "ok", "rating": 3}, headers=auth(keys["kiosk"])
    )
    response = client.simulate_get(f"/v1/feedback/{created.json['id']}", headers=auth(keys["staff"]))

    assert response.status_code == 200
    body = response.json
    assert body["id"] == created.json["id"]
    assert body["status"] == "received"
    assert body["channel"] == "kiosk" and body["text"] == "ok" and body["rating"] == 3
    assert body["analysis"] is None and body["alerts"] == []
    assert body["triage"]["state"] == "new"


def test_kiosk_key_cannot_read_feedback(client: testing.TestClient, keys: dict[str, str]) -> None:
    created = client.simulate_post("/v1/feedback", json={"text": "ok"}, headers=auth(keys["kiosk"]))
    response = client.simulate_get(f"/v1/feedback/{created.json['id']}", headers=auth(keys["kiosk"]))
    assert response.status_code == 403
    assert response.json["title"] == "Forbidden"


def test_unknown_id_is_404(client: testing.TestClient, keys: dict[str, str]) -> None:
    response = client.simulate_get("/v1/feedback/does-not-exist", headers=auth(keys["admin"]))
    assert response.status_code == 404
    assert response.json["title"] == "Not found"


def test_health_and_readiness(client: testing.TestClient) -> None:
    assert client.simulate_get("/healthz").json == {"status": "ok"}
    ready = client.simulate_get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "broker": "ok"}


def test_readiness_names_a_down_broker(
    sessions: sessionmaker[Session], unreachable_broker: CeleryPublisher
) -> None:
    response = make_client(sessions, unreachable_broker).simulate_get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "broker": "down"}
    assert "broker" in response.json["description"]


def test_openapi_lists_every_endpoint(client: testing.TestClient) -> None:
    document = client.simulate_get("/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/v1/feedback",
        "/v1/feedback/{id}",
        "/v1/feedback/export.csv",
        "/v1/analytics/summary",
        "/v1/analytics/trends",
    } <= set(document["paths"])
    assert {"get", "post"} <= set(document["paths"]["/v1/feedback"])
    rating = document["components"]["schemas"]["FeedbackIn"]["properties"]["rating"]
    assert rating["anyOf"][0]["maximum"] == 5
