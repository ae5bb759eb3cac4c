"""POST /v1/feedback/batch: offline kiosk sync, each item judged on its own, idempotent
per (device key, client_id)."""

from __future__ import annotations

from collections import Counter

import redis
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from models.channels import BatchItem
from models.db import session_scope
from models.keys import create_key
from models.tables import Feedback, OutboxEntry
from tests.channels.conftest import auth, count
from tests.support.broker import queued_task_names


def kiosk_batch() -> list[dict[str, object]]:
    """500 items: 440 distinct valid, 50 repeating earlier client_ids, 10 invalid."""
    items: list[dict[str, object]] = [
        {"client_id": f"tablet-7:{n}", "text": f"visit {n}: the staff were kind", "rating": 1 + n % 5}
        for n in range(440)
    ]
    items += [{"client_id": f"tablet-7:{n}", "text": f"visit {n}: the staff were kind"} for n in range(50)]
    items += [{"client_id": "tablet-7:bad-rating", "rating": 6}] * 3
    items += [{"client_id": "tablet-7:empty"}] * 3
    items += [{"text": "no client id"}] * 2
    items += ["not an object", {"client_id": "tablet-7:extra", "text": "x", "colour": "red"}]
    return items


def test_batch_of_500_with_duplicates_and_invalid_items(
    client: testing.TestClient, kiosk_key: str, sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    items = kiosk_batch()
    response = client.simulate_post("/v1/feedback/batch", json={"items": items}, headers=auth(kiosk_key))

    assert response.status_code == 200
    results = response.json["results"]
    assert [r["client_id"] for r in results[:440]] == [item["client_id"] for item in items[:440]]
    assert Counter(r["result"] for r in results) == {"created": 440, "duplicate": 50, "invalid": 10}
    assert results[440]["id"] == results[0]["id"]  # a duplicate names the item it repeats
    invalid_fields = [{e["field"] for e in r["errors"]} for r in results if r["result"] == "invalid"]
    assert invalid_fields[0] == {"rating"} and invalid_fields[6] == {"client_id"}
    assert invalid_fields[8] == {"items.498"} and invalid_fields[9] == {"colour"}
    assert count(sessions, Feedback) == 440 and count(sessions, OutboxEntry) == 440
    assert queued_task_names(redis_client, "llm") == ["feedback.analyze"] * 9  # chains of 50 ids

    again = client.simulate_post("/v1/feedback/batch", json={"items": items}, headers=auth(kiosk_key))
    assert Counter(r["result"] for r in again.json["results"]) == {"duplicate": 490, "invalid": 10}
    assert [r.get("id") for r in again.json["results"]] == [r.get("id") for r in results[:440]] + [
        r.get("id") for r in results[440:]
    ]
    assert count(sessions, Feedback) == 440 and count(sessions, BatchItem) == 440


def test_client_ids_are_per_device(client: testing.TestClient, kiosk_key: str, sessions) -> None:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        other_kiosk = create_key(session, "ward-kiosk", "kiosk")
    body = {"items": [{"client_id": "1", "text": "fine"}]}
    first = client.simulate_post("/v1/feedback/batch", json=body, headers=auth(kiosk_key))
    second = client.simulate_post("/v1/feedback/batch", json=body, headers=auth(other_kiosk))
    assert first.json["results"][0]["result"] == second.json["results"][0]["result"] == "created"


def test_envelope_errors(client: testing.TestClient, kiosk_key: str, sessions) -> None:  # type: ignore[no-untyped-def]
    too_many = {"items": [{"client_id": str(n), "text": "x"} for n in range(501)]}
    for body, field in [(too_many, "items"), ({"items": []}, "items"), ({}, "items")]:
        response = client.simulate_post("/v1/feedback/batch", json=body, headers=auth(kiosk_key))
        assert response.status_code == 422 and response.json["errors"][0]["field"] == field
    assert client.simulate_post("/v1/feedback/batch", json={"items": []}).status_code == 401
    assert count(sessions, Feedback) == 0
