"""GET /metrics: request counts by route template, items by status, queue depths."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import redis
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.app import create_app
from ingest.triage import TriageIn, apply_triage
from models.db import session_scope
from models.oncall import Escalation
from models.settings import load_settings
from models.tables import utcnow
from pipelines.clients.messaging import OfflineSender
from pipelines.reminders.consent import set_consent
from tests.ingest.conftest import auth
from tests.support.alerting import KEYS, route_and_deliver, scored_item
from tests.support.outreach import appointment, book, plan_at
from tests.support.outreach import policy as outreach_policy
from workers.chains import CeleryPublisher


def sample(text: str, name: str, labels: str) -> float:
    prefix = f"{name}{{{labels}}} " if labels else f"{name} "
    line = next(line for line in text.splitlines() if line.startswith(prefix))
    return float(line.removeprefix(prefix))


def test_metrics_count_routes_items_and_queues(
    client: testing.TestClient, keys: dict[str, str], redis_client: redis.Redis
) -> None:
    for _ in range(3):
        assert (
            client.simulate_post("/v1/feedback", json={"rating": 4}, headers=auth(keys["kiosk"])).status_code
            == 202
        )
    client.simulate_get("/v1/feedback/some-id", headers=auth(keys["staff"]))

    text = client.simulate_get("/metrics").text

    assert (
        sample(text, "carepulse_http_requests_total", 'method="POST",route="/v1/feedback",status="202"') >= 3
    )
    assert (
        sample(
            text,
            "carepulse_http_requests_total",
            'method="GET",route="/v1/feedback/{feedback_id}",status="404"',
        )
        >= 1
    )
    assert sample(text, "carepulse_feedback_items", 'status="received"') == 3
    assert sample(text, "carepulse_queue_depth", 'queue="llm"') == 3
    assert "carepulse_http_request_duration_seconds_bucket" in text
    assert "some-id" not in text


def test_metrics_token_is_enforced_when_set(
    sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    settings = replace(load_settings(), metrics_token="scrape-secret-123")
    client = testing.TestClient(create_app(settings, sessions, CeleryPublisher()))

    assert client.simulate_get("/metrics").status_code == 401
    assert (
        client.simulate_get("/metrics", headers={"Authorization": "Bearer scrape-secret-123"}).status_code
        == 200
    )


def test_metrics_show_pages_and_the_oldest_unacknowledged_one(
    client: testing.TestClient, sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    assert sample(client.simulate_get("/metrics").text, "carepulse_open_pages", "") == 0
    first, second = scored_item(sessions), scored_item(sessions)
    route_and_deliver(sessions, [first, second], OfflineSender(KEYS))
    with session_scope(sessions) as session:
        case = session.scalar(select(Escalation).where(Escalation.feedback_id == first))
        case.created_at = utcnow() - timedelta(minutes=7)
        apply_triage(session, second, TriageIn(triage_state="acknowledged"), "nurse")

    text = client.simulate_get("/metrics").text
    assert sample(text, "carepulse_alerts", 'channel="sms",status="sent"') == 2
    assert sample(text, "carepulse_alerts", 'channel="email",status="sent"') == 2
    assert sample(text, "carepulse_open_pages", "") == 1
    assert 420 <= sample(text, "carepulse_oldest_open_page_seconds", "") < 480


def test_metrics_count_reminders_by_channel_and_status(
    client: testing.TestClient, sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    rules = outreach_policy()
    now = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    rows = [
        appointment(n, datetime(2026, 3, 9, 10, 0), channel="sms" if n % 3 else "email") for n in range(6)
    ]
    book(sessions, rows, rules, now)
    with session_scope(sessions) as session:
        set_consent(session, [rows[1].patient_ref], "revoked", "staff", "asked at the desk")
    plan_at(sessions, rules, now)
    text = client.simulate_get("/metrics").text
    assert sample(text, "carepulse_reminders", 'channel="sms",status="scheduled"') == 3
    assert sample(text, "carepulse_reminders", 'channel="sms",status="suppressed"') == 1
    assert sample(text, "carepulse_reminders", 'channel="email",status="scheduled"') == 2
