"""Per-key rate limits in Redis: 429 with Retry-After, other keys unaffected."""

from __future__ import annotations

import redis
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.keys import create_key
from tests.channels.conftest import auth, make_client


def test_over_the_limit_is_429_with_retry_after(
    sessions: sessionmaker[Session], kiosk_key: str, redis_client: redis.Redis
) -> None:
    client = make_client(sessions, rate_limit_per_minute=3)
    with session_scope(sessions) as session:
        other = create_key(session, "other-kiosk", "kiosk")
    body = {"text": "fine"}
    statuses = [
        client.simulate_post("/v1/feedback", json=body, headers=auth(kiosk_key)).status_code for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429]

    limited = client.simulate_post("/v1/feedback", json=body, headers=auth(kiosk_key))
    assert limited.json["title"] == "Too many requests"
    assert 1 <= int(limited.headers["retry-after"]) <= 61
    assert client.simulate_post("/v1/feedback", json=body, headers=auth(other)).status_code == 202
    assert client.simulate_get("/healthz").status_code == 200


def test_redis_down_lets_requests_through(sessions: sessionmaker[Session], kiosk_key: str) -> None:
    client = make_client(sessions, rate_limit_per_minute=1, redis_url="redis://127.0.0.1:1/0")
    for _ in range(3):
        assert client.simulate_post(
            "/v1/feedback", json={"text": "ok"}, headers=auth(kiosk_key)
        ).status_code in (202,)
