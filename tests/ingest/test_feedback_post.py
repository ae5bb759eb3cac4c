"""POST /v1/feedback: stored and published, or refused with nothing stored."""

from __future__ import annotations

import base64
import json

import pytest
import redis
from falcon import testing
from kombu.exceptions import OperationalError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory
from models.tables import Feedback, OutboxEntry
from tests.ingest.conftest import auth, make_client
from tests.support.broker import queued_messages, queued_task_names
from workers.chains import BrokerResting, CeleryPublisher


def count(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_accepts_and_publishes_after_commit(
    client: testing.TestClient,
    keys: dict[str, str],
    sessions: sessionmaker[Session],
    redis_client: redis.Redis,
) -> None:
    body = {"channel": "kiosk", "text": "The nurse was kind", "rating": 5, "department": "ER"}
    response = client.simulate_post("/v1/feedback", json=body, headers=auth(keys["kiosk"]))

    assert response.status_code == 202
    assert response.json["status"] == "received"
    with sessions() as session:
        item = session.get(Feedback, response.json["id"])
        outbox = session.scalars(select(OutboxEntry)).all()
    assert item is not None and item.text == "The nurse was kind" and item.rating == 5
    assert item.status == "received"
    assert len(outbox) == 1 and outbox[0].feedback_id == item.id
    assert outbox[0].published_at is not None
    assert queued_task_names(redis_client, "llm") == ["feedback.analyze"]


def test_red_flagged_text_takes_the_fast_lane(
    client: testing.TestClient, keys: dict[str, str], redis_client: redis.Redis
) -> None:
    for text in ("The food was cold", "my father cannot breathe and nobody comes", "Lovely staff"):
        response = client.simulate_post("/v1/feedback", json={"text": text}, headers=auth(keys["kiosk"]))
        assert response.status_code == 202
    lanes = [
        (priority, message["headers"]["task"]) for priority, message in queued_messages(redis_client, "llm")
    ]
    assert lanes == [(0, "feedback.analyze"), (6, "feedback.analyze"), (6, "feedback.analyze")]
    urgent_chain = queued_messages(redis_client, "llm")[0][1]
    assert {
        step["options"]["priority"] for step in json.loads(base64.b64decode(urgent_chain["body"]))[2]["chain"]
    } == {0}


def test_broker_down_still_accepts_and_leaves_outbox_for_the_relay(
    sessions: sessionmaker[Session], keys: dict[str, str], unreachable_broker: CeleryPublisher
) -> None:
    client = make_client(sessions, unreachable_broker)
    response = client.simulate_post("/v1/feedback", json={"text": "hello"}, headers=auth(keys["kiosk"]))

    assert response.status_code == 202
    with sessions() as session:
        entry = session.scalars(select(OutboxEntry)).one()
    assert entry.feedback_id == response.json["id"]
    assert entry.published_at is None


def test_after_a_failed_publish_the_publisher_rests_instead_of_waiting_on_redis(
    sessions: sessionmaker[Session], keys: dict[str, str], unreachable_broker: CeleryPublisher
) -> None:
    with pytest.raises(OperationalError):  # the broker itself was tried and refused
        unreachable_broker.publish(["a"])
    with pytest.raises(BrokerResting):
        unreachable_broker.publish_urgent(["b"])  # left to the relay without touching Redis
    client = make_client(sessions, unreachable_broker)
    for _ in range(3):
        response = client.simulate_post("/v1/feedback", json={"rating": 3}, headers=auth(keys["kiosk"]))
        assert response.status_code == 202
    with sessions() as session:
        assert session.scalar(select(func.count()).where(OutboxEntry.published_at.is_(None))) == 3


def test_idempotency_key_returns_the_same_id(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    headers = auth(keys["kiosk"]) | {"Idempotency-Key": "kiosk-7-0001"}
    first = client.simulate_post("/v1/feedback", json={"rating": 4}, headers=headers)
    second = client.simulate_post("/v1/feedback", json={"rating": 4}, headers=headers)
    conflict = client.simulate_post("/v1/feedback", json={"rating": 2}, headers=headers)

    assert first.status_code == second.status_code == 202
    assert first.json["id"] == second.json["id"]
    assert conflict.status_code == 409
    assert count(sessions, Feedback) == 1
    assert count(sessions, OutboxEntry) == 1


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, None),
        (b"[1, 2]", {"Content-Type": "application/json"}, 400, None),
        (b'{"text": "hi"}', {"Content-Type": "text/plain"}, 415, None),
        (b'{"text": "hi"}', {}, 415, None),
        (b'{"rating": 9}', {"Content-Type": "application/json"}, 422, "rating"),
        (b'{"rating": "5"}', {"Content-Type": "application/json"}, 422, "rating"),
        (b'{"channel": "pager", "text": "x"}', {"Content-Type": "application/json"}, 422, "channel"),
        (b'{"text": "x", "ratting": 3}', {"Content-Type": "application/json"}, 422, "ratting"),
        (b'{"language": "english!", "text": "x"}', {"Content-Type": "application/json"}, 422, "language"),
        (b"{}", {"Content-Type": "application/json"}, 422, "body"),
        (json.dumps({"text": "x" * 70_000}).encode(), {"Content-Type": "application/json"}, 413, None),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(
    client: testing.TestClient,
    keys: dict[str, str],
    sessions: sessionmaker[Session],
    body: bytes,
    headers: dict[str, str],
    status: int,
    field: str | None,
) -> None:
    response = client.simulate_post("/v1/feedback", body=body, headers=auth(keys["kiosk"]) | headers)

    assert response.status_code == status
    assert response.json["title"] and response.json["description"]
    if field:
        assert field in {error["field"] for error in response.json["errors"]}
        assert field in response.json["description"] or field == "body"
    assert count(sessions, Feedback) == 0
    assert count(sessions, OutboxEntry) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Bearer cp_abc_def"},
        {"Authorization": "Basic x"},
    ],
)
def test_missing_or_unknown_key_is_401(
    client: testing.TestClient, sessions: sessionmaker[Session], headers: dict[str, str]
) -> None:
    response = client.simulate_post("/v1/feedback", json={"text": "hi"}, headers=headers)

    assert response.status_code == 401
    assert response.json["title"] == "Unauthorized"
    assert count(sessions, Feedback) == 0


def test_revoked_key_is_401(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    from models.db import session_scope
    from models.keys import revoke_key

    with session_scope(sessions) as session:
        revoke_key(session, "test-kiosk")
    response = client.simulate_post("/v1/feedback", json={"text": "hi"}, headers=auth(keys["kiosk"]))
    assert response.status_code == 401


def test_database_down_is_503_with_retry_after_not_500(redis_client: redis.Redis) -> None:
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")
    client = make_client(make_session_factory(engine), CeleryPublisher())
    response = client.simulate_post(
        "/v1/feedback", json={"text": "the ward is cold"}, headers=auth("cp_0123456789abcdef_secret")
    )
    engine.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["title"] == "Database unavailable"
