"""The triage queue (GET /v1/triage/queue) and the triage page's files, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Feedback, UrgencyDecision
from models.urgency_models import UrgencyLabel
from tests.ingest.conftest import auth

START = datetime(2026, 11, 1, 8, tzinfo=UTC)
# (name, urgency level or None when not scored yet, triage state), received an hour apart.
ITEMS = [
    ("low", "low", "new"),
    ("critical-old", "critical", "new"),
    ("high-old", "high", "new"),
    ("unscored", None, "new"),
    ("medium", "medium", "new"),
    ("critical-new", "critical", "new"),
    ("critical-resolved", "critical", "resolved"),
    ("high-acknowledged", "high", "acknowledged"),
]
TRIAGE_ORDER = [
    "critical-new", "critical-old", "high-acknowledged", "high-old", "medium", "low", "unscored",
]  # fmt: skip


@pytest.fixture
def queued(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Feedback of every level and state; returns name -> feedback id."""
    with session_scope(sessions) as session:
        items = {
            name: Feedback(
                channel="kiosk",
                text=f"feedback {name}",
                department="ward-3",
                rating=2,
                triage_state=state,
                status="analyzed" if level else "received",
                received_at=START + timedelta(hours=n),
            )
            for n, (name, level, state) in enumerate(ITEMS)
        }
        session.add_all(items.values())
        session.flush()
        for name, level, _ in ITEMS:
            if level:
                session.add(
                    UrgencyDecision(
                        feedback_id=items[name].id,
                        level=level,
                        score=0.5,
                        reasons=[f"reason for {name}"],
                        analyzer="local",
                        model_version="test",
                    )
                )
        session.add(UrgencyLabel(feedback_id=items["high-old"].id, label="critical", labeled_by="nurse"))
        return {name: item.id for name, item in items.items()}


def test_queue_lists_open_items_most_urgent_then_newest_first(
    client: testing.TestClient, keys: dict[str, str], queued: dict[str, str]
) -> None:
    response = client.simulate_get("/v1/triage/queue", headers=auth(keys["staff"]))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    items = response.json["items"]
    assert [item["id"] for item in items] == [queued[name] for name in TRIAGE_ORDER]
    by_id = {item["id"]: item for item in items}
    relabelled = by_id[queued["high-old"]]
    assert relabelled["urgency_level"] == "high"
    assert relabelled["urgency_score"] == 0.5
    assert relabelled["urgency_reasons"] == ["reason for high-old"]
    assert relabelled["urgency_label"] == "critical"
    assert {
        "id", "received_at", "channel", "department", "status", "triage_state", "sentiment_label",
        "text", "rating",
    } <= set(relabelled)  # fmt: skip
    assert relabelled["text"] == "feedback high-old"
    unscored = by_id[queued["unscored"]]
    assert unscored["urgency_level"] is None and unscored["urgency_label"] is None
    assert unscored["urgency_reasons"] == []


def test_resolved_feedback_leaves_the_queue(
    client: testing.TestClient, keys: dict[str, str], queued: dict[str, str]
) -> None:
    staff = auth(keys["staff"])
    patched = client.simulate_patch(
        f"/v1/feedback/{queued['critical-new']}", json={"triage_state": "resolved"}, headers=staff
    )
    assert patched.status_code == 200

    ids = [item["id"] for item in client.simulate_get("/v1/triage/queue", headers=staff).json["items"]]

    assert queued["critical-new"] not in ids
    assert queued["critical-resolved"] not in ids
    assert ids[0] == queued["critical-old"]


def test_queue_needs_a_staff_or_admin_key(client: testing.TestClient, keys: dict[str, str]) -> None:
    assert client.simulate_get("/v1/triage/queue").status_code == 401
    assert client.simulate_get("/v1/triage/queue", headers=auth("not-a-key")).status_code == 401
    assert client.simulate_get("/v1/triage/queue", headers=auth(keys["kiosk"])).status_code == 403
    admin = client.simulate_get("/v1/triage/queue", headers=auth(keys["admin"]))
    assert (admin.status_code, admin.json) == (200, {"items": []})


@pytest.mark.parametrize("limit", ["0", "201", "ten", "-1"])
def test_queue_rejects_a_bad_limit(client: testing.TestClient, keys: dict[str, str], limit: str) -> None:
    response = client.simulate_get("/v1/triage/queue", params={"limit": limit}, headers=auth(keys["staff"]))

    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == ["limit"]


def test_queue_limit_keeps_the_most_urgent(
    client: testing.TestClient, keys: dict[str, str], queued: dict[str, str]
) -> None:
    response = client.simulate_get("/v1/triage/queue", params={"limit": 2}, headers=auth(keys["staff"]))

    assert [item["id"] for item in response.json["items"]] == [queued["critical-new"], queued["critical-old"]]


def test_page_is_served_without_a_key_under_a_strict_policy(client: testing.TestClient) -> None:
    response = client.simulate_get("/triage")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert '<script src="/triage/app.js" defer></script>' in response.text
    assert response.text.count("<script") == 1  # no inline script
    assert "http://" not in response.text and "https://" not in response.text  # nothing external


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/triage/app.js", "text/javascript", "/v1/triage/queue"),
        ("/triage/app.css", "text/css", ".row"),
    ],
)
def test_page_assets_are_served_from_the_package(
    client: testing.TestClient, path: str, content_type: str, marker: str
) -> None:
    response = client.simulate_get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert marker in response.text
