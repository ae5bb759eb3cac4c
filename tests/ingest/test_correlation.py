"""Ingest logs each accepted item once, by its id (the correlation id), never its text,
and answers the id in X-Correlation-ID."""

from __future__ import annotations

from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from tests.ingest.conftest import auth, make_client
from tests.support.json_logs import captured_json_logs
from workers.chains import CeleryPublisher

TEXT = "Numbat4417 the drip in room 12 ran dry"


def test_an_accepted_item_is_logged_by_id_and_answered_in_the_header(
    client: testing.TestClient, keys: dict[str, str]
) -> None:
    headers = auth(keys["kiosk"]) | {"Idempotency-Key": "kiosk-3-0042"}
    with captured_json_logs() as records:
        first = client.simulate_post("/v1/feedback", json={"text": TEXT}, headers=headers)
        again = client.simulate_post("/v1/feedback", json={"text": TEXT}, headers=headers)
    feedback_id = first.json["id"]
    assert first.headers["X-Correlation-ID"] == again.headers["X-Correlation-ID"] == feedback_id
    lines = [(r["message"], r["correlation_id"], r["channel"], r["route"]) for r in records()]
    assert lines == [
        ("feedback accepted", feedback_id, "kiosk", "/v1/feedback"),
        ("feedback already accepted", feedback_id, "kiosk", "/v1/feedback"),
    ]
    assert "Numbat4417" not in str(records())


def test_a_batch_is_one_line_with_every_new_id(client: testing.TestClient, keys: dict[str, str]) -> None:
    items = [{"client_id": f"c-{n}", "text": TEXT, "channel": "kiosk"} for n in range(3)]
    with captured_json_logs() as records:
        response = client.simulate_post(
            "/v1/feedback/batch", json={"items": items}, headers=auth(keys["kiosk"])
        )
    created = [result["id"] for result in response.json["results"]]
    (line,) = records()
    assert line["message"] == "feedback accepted" and line["route"] == "/v1/feedback/batch"
    assert line["correlation_ids"] == created and line["channel"] == "kiosk"
    assert "X-Correlation-ID" not in response.headers  # the body has the ids, item by item


def test_the_deferred_publish_carries_the_id(
    sessions: sessionmaker[Session], keys: dict[str, str], unreachable_broker: CeleryPublisher
) -> None:
    """The broker is down: the committer logs the deferred publish under the item's id."""
    client = make_client(sessions, unreachable_broker)
    with captured_json_logs() as records:
        response = client.simulate_post("/v1/feedback", json={"text": TEXT}, headers=auth(keys["kiosk"]))
    assert response.status_code == 202
    lines = records()
    assert len(lines) == 2
    (accepted,) = [line for line in lines if not line["message"].startswith("publish deferred")]
    (deferred,) = [line for line in lines if line["message"].startswith("publish deferred")]
    assert accepted["message"] == "feedback accepted"
    assert deferred["message"].startswith("publish deferred to the outbox relay")
    assert accepted["correlation_id"] == deferred["correlation_id"] == response.json["id"]


def test_every_request_is_one_line_by_its_route_template(
    client: testing.TestClient, keys: dict[str, str]
) -> None:
    """A patient reference or a signature in the path never reaches the log: the line names
    the route Falcon matched, with the method, final status and duration."""
    with captured_json_logs() as records:
        missing = client.simulate_get("/v1/feedback/MRN-Numbat4417", headers=auth(keys["staff"]))
        refused = client.simulate_get("/v1/feedback/MRN-Numbat4417")
    assert (missing.status_code, refused.status_code) == (404, 401)
    lines = [(r["message"], r["method"], r["route"], r["status"]) for r in records()]
    assert lines == [
        ("GET /v1/feedback/{feedback_id} 404", "GET", "/v1/feedback/{feedback_id}", 404),
        ("GET /v1/feedback/{feedback_id} 401", "GET", "/v1/feedback/{feedback_id}", 401),
    ]
    assert all(r["duration_ms"] >= 0 for r in records())
    assert "Numbat4417" not in str(records())
