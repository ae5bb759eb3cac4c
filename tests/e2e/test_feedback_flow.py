"""Kiosk POST → ingest → Celery chain → urgency → alert, with every part real."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import System
from tests.support.http import call
from tests.support.polling import wait_until


def fetch_when_routed(system: System, feedback_id: str, alerts: int) -> dict:
    def done() -> dict | None:
        status, body = call("GET", f"{system.base_url}/v1/feedback/{feedback_id}", system.staff)
        assert status == 200
        sent = [alert for alert in body["alerts"] if alert["status"] == "sent"]
        return body if body["status"] == "analyzed" and len(sent) == alerts else None

    return wait_until(done, 30, f"feedback {feedback_id} was not analyzed and routed")


@pytest.mark.parametrize(
    "text",
    [
        "my father in bed 4 can't breathe and nobody comes",
        "mon père au lit 4 ne peut pas respirer et personne ne vient",
        "mi padre en la cama 4 no puede respirar y nadie viene",
    ],
)
def test_critical_feedback_is_analyzed_and_alerted(system: System, text: str) -> None:
    status, created = call(
        "POST",
        f"{system.base_url}/v1/feedback",
        system.kiosk,
        {"channel": "kiosk", "text": text, "department": "ward-3"},
    )
    assert status == 202

    body = fetch_when_routed(system, created["id"], alerts=2)

    assert body["analysis"]["urgency"]["level"] == "critical"
    assert body["analysis"]["urgency"]["reasons"]
    assert body["analysis"]["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert body["analysis"]["analyzer"] == "local"
    assert body["analysis"]["model_version"]
    assert sorted(alert["channel"] for alert in body["alerts"]) == ["email", "sms"]


def test_praise_is_analyzed_without_alert(system: System) -> None:
    status, created = call(
        "POST",
        f"{system.base_url}/v1/feedback",
        system.kiosk,
        {"text": "The nurses were wonderful, thank you", "rating": 5},
    )
    assert status == 202

    body = fetch_when_routed(system, created["id"], alerts=0)

    assert body["analysis"]["sentiment"]["label"] == "positive"
    assert body["analysis"]["urgency"]["level"] == "low"
    assert body["alerts"] == []
