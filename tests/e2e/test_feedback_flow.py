"""Kiosk POST → ingest → Celery chain → urgency → alert, with every part real. Each test
reads the item once its last stage has finished (`System.when_routed`): its alerts are
final then, so "none" is a result that can fail."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import System
from tests.support.http import call


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

    body = system.when_routed(created["id"])

    assert body["status"] == "analyzed"
    assert body["analysis"]["urgency"]["level"] == "critical"
    assert body["analysis"]["urgency"]["reasons"]
    assert body["analysis"]["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert body["analysis"]["analyzer"] == "local"
    assert body["analysis"]["model_version"]
    assert sorted((alert["channel"], alert["status"]) for alert in body["alerts"]) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]


def test_praise_is_analyzed_without_alert(system: System) -> None:
    status, created = call(
        "POST",
        f"{system.base_url}/v1/feedback",
        system.kiosk,
        {"text": "The nurses were wonderful, thank you", "rating": 5},
    )
    assert status == 202

    body = system.when_routed(created["id"])

    assert body["status"] == "analyzed"
    assert body["analysis"]["sentiment"]["label"] == "positive"
    assert body["analysis"]["urgency"]["level"] == "low"
    assert body["alerts"] == []
