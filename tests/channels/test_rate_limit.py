"""Rate limits in Redis, per address before authentication and per key: 429 with
Retry-After, other keys and addresses unaffected."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict

import falcon
import redis
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from ingest.rate_limit import WINDOW_SECONDS, RateLimiter
from models.db import session_scope
from models.keys import create_key
from models.settings import load_settings
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


def test_processes_share_one_budget_reserved_in_chunks(redis_client: redis.Redis) -> None:
    """Two ingest processes (two limiters, one Redis) admit no more than the limit together,
    and lose at most a chunk each to reservations the other could not use."""
    clock = 120.5  # the middle of a window: it does not roll over while the test runs
    limiters = [RateLimiter(redis_client, per_minute=400, clock=lambda: clock) for _ in range(2)]
    request = testing.create_req(method="POST", path="/v1/feedback", headers={"Authorization": "Bearer k"})
    reservations_before = _incrby_calls(redis_client)
    admitted = 0
    for n in range(500):
        try:
            limiters[n % 2].process_request(request, falcon.Response())
            admitted += 1
        except falcon.HTTPTooManyRequests:
            pass
    assert 400 - 2 * 4 <= admitted <= 400
    assert _incrby_calls(redis_client) - reservations_before <= 400 // 4 + 2  # a round trip per chunk


def _incrby_calls(client: redis.Redis) -> int:
    return int(client.info("commandstats").get("cmdstat_incrby", {}).get("calls", 0))


def test_made_up_keys_are_limited_by_address_before_authentication(
    sessions: sessionmaker[Session], kiosk_key: str, redis_client: redis.Redis
) -> None:
    """2,000 requests with random keys, each of which would be a database lookup: once the
    address has spent its budget (the default) in a one-minute window, they get 429 with
    Retry-After, not 401. Should the run cross a window's edge, it goes on until the new
    window has spent its budget too (each window is checked on its own)."""
    client = make_client(sessions)
    per_address = load_settings({}).rate_limit_per_address
    by_window: defaultdict[int, list[int]] = defaultdict(list)
    sent, last = 0, None
    while sent < 2000 or last.status_code != 429:
        assert sent < 2000 + 2 * per_address, "no window ever ran out of its budget"
        token = f"cp_{secrets.token_hex(8)}_{secrets.token_urlsafe(8)}"
        before = int(time.time() // WINDOW_SECONDS)
        last = client.simulate_post("/v1/feedback", json={"text": "x"}, headers=auth(token))
        window = int(time.time() // WINDOW_SECONDS)
        if window == before:  # a request on the edge may count in either window
            by_window[window].append(last.status_code)
        sent += 1
    for statuses in by_window.values():
        admitted = min(len(statuses), per_address)
        assert statuses[:admitted] == [401] * admitted
        assert set(statuses[admitted:]) <= {429}
    assert last.status_code == 429
    assert 1 <= int(last.headers["retry-after"]) <= 61
    assert "per address" in last.json["description"]
    elsewhere = client.simulate_post(
        "/v1/feedback", json={"text": "fine"}, headers=auth(kiosk_key), remote_addr="10.0.0.7"
    )
    assert elsewhere.status_code == 202


def test_the_address_limit_is_configurable_and_zero_turns_it_off(
    sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    assert load_settings({"RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "5"}).rate_limit_per_address == 5
    client = make_client(sessions, rate_limit_per_address=0, rate_limit_per_minute=0)
    statuses = {client.simulate_get("/v1/feedback", headers=auth(f"cp_{n}_x")).status_code for n in range(50)}
    assert statuses == {401}
