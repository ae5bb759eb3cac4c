"""GET /v1/analytics/summary: NPS, time to acknowledge and model agreement, on both databases.

Rows are seeded straight into the database with chosen timestamps and labels, so every
expected number below is worked out by hand. The app is built with a minimum sample of 5
so that "withheld" and "shown" cases need only a handful of rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema_rs
import pytest
import redis
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from ingest.app import create_app
from models.channels import SurveyResponse
from models.db import session_scope
from models.settings import load_settings
from models.tables import Feedback, UrgencyDecision, new_id
from models.urgency_models import UrgencyLabel
from tests.ingest.conftest import auth
from workers.chains import CeleryPublisher

MIN_SAMPLE = 5
START = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW = {"since": "2026-03-01T00:00:00+00:00", "until": "2026-04-01T00:00:00+00:00"}
BEFORE_WINDOW = START - timedelta(days=1)
NPS_SCORES = {"promoter": 10, "passive": 8, "detractor": 3}


@pytest.fixture
def small_client(sessions: sessionmaker[Session], redis_client: redis.Redis) -> testing.TestClient:
    """The ingest app with ANALYTICS_MIN_SAMPLE = 5."""
    settings = replace(load_settings(), analytics_min_sample=MIN_SAMPLE, key_cache_seconds=0)
    return testing.TestClient(create_app(settings, sessions, CeleryPublisher()))


def _seed(
    sessions: sessionmaker[Session],
    *,
    received_at: datetime = START + timedelta(days=3),
    level: str | None = None,
    ack_after_minutes: float | None = None,
    label: str | None = None,
    nps_category: str | None = None,
) -> None:
    """One feedback with, as asked, a pipeline urgency, a staff label and a survey."""
    feedback_id = new_id()
    acknowledged_at = (
        None if ack_after_minutes is None else received_at + timedelta(minutes=ack_after_minutes)
    )
    with session_scope(sessions) as session:
        session.add(
            Feedback(
                id=feedback_id,
                channel="survey" if nps_category else "kiosk",
                text="seeded",
                received_at=received_at,
                acknowledged_at=acknowledged_at,
                triage_state="new" if acknowledged_at is None else "acknowledged",
            )
        )
        session.flush()
        if level is not None:
            session.add(
                UrgencyDecision(
                    feedback_id=feedback_id, level=level, score=0.5, analyzer="test", model_version="test"
                )
            )
        if label is not None:
            session.add(UrgencyLabel(feedback_id=feedback_id, label=label, labeled_by="test-staff"))
        if nps_category is not None:
            session.add(
                SurveyResponse(
                    feedback_id=feedback_id,
                    survey="stay",
                    nps=NPS_SCORES[nps_category],
                    nps_category=nps_category,
                )
            )


def _summary(client: testing.TestClient, keys: dict[str, str]) -> dict[str, Any]:
    response = client.simulate_get("/v1/analytics/summary", params=WINDOW, headers=auth(keys["staff"]))
    assert response.status_code == 200
    return response.json


def test_nps_score_and_interval_above_the_minimum_sample(
    small_client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    for category, count in (("promoter", 5), ("passive", 3), ("detractor", 2)):
        for _ in range(count):
            _seed(sessions, nps_category=category)
    _seed(sessions, nps_category="detractor", received_at=BEFORE_WINDOW)  # outside the window
    _seed(sessions)  # feedback without a survey

    nps = _summary(small_client, keys)["nps"]

    # 100 x (5 - 2) / 10; var = (0.5 + 0.2 - 0.3^2) / 10 = 0.061, half = 1.96 x sqrt(0.061) = 48.41
    assert nps == {
        "n": 10,
        "promoters": 5,
        "passives": 3,
        "detractors": 2,
        "withheld": False,
        "score": 30.0,
        "ci95": [-18.41, 78.41],
    }


def test_nps_interval_is_clipped_to_100(
    small_client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    for category in ["promoter"] * 9 + ["detractor"]:
        _seed(sessions, nps_category=category)

    nps = _summary(small_client, keys)["nps"]

    # 80 +- 1.96 x sqrt((1.0 - 0.64) / 10) x 100 = 80 +- 37.19: the upper end would be 117.19
    assert (nps["score"], nps["ci95"]) == (80.0, [42.81, 100.0])


def test_nps_withheld_below_the_minimum_sample(
    small_client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    for category in ("promoter", "promoter", "passive", "detractor"):
        _seed(sessions, nps_category=category)

    nps = _summary(small_client, keys)["nps"]

    assert nps == {
        "n": 4,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
        "withheld": True,
        "score": None,
        "ci95": None,
    }


def test_time_to_acknowledge_per_level_and_overall(
    small_client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    for minutes in range(1, 11):
        _seed(sessions, level="critical", ack_after_minutes=minutes)
    for _ in range(2):
        _seed(sessions, level="critical")  # still open
    for minutes in (30, 60, 90, 120):
        _seed(sessions, level="high", ack_after_minutes=minutes)
    _seed(sessions, level="high")  # still open
    _seed(sessions, level="medium", ack_after_minutes=500)  # not a paged level
    _seed(sessions, level="critical", ack_after_minutes=900, received_at=BEFORE_WINDOW)

    delays = _summary(small_client, keys)["time_to_acknowledge"]

    # 1..10 minutes: median 5.5; p90 at rank 0.9 x 9 = 8.1, between 9 and 10
    assert delays["critical"] == {
        "n_acknowledged": 10,
        "n_open": 2,
        "median_minutes": 5.5,
        "p90_minutes": 9.1,
        "withheld": False,
    }
    assert delays["high"] == {
        "n_acknowledged": 4,
        "n_open": 1,
        "median_minutes": None,
        "p90_minutes": None,
        "withheld": True,
    }
    # 1..10, 30, 60, 90, 120 pooled: median between 7 and 8; p90 at rank 11.7, between 60 and 90
    assert delays["overall"] == {
        "n_acknowledged": 14,
        "n_open": 3,
        "median_minutes": 7.5,
        "p90_minutes": 81.0,
        "withheld": False,
    }


def _seed_confusion(sessions: sessionmaker[Session]) -> None:
    """Staff label -> pipeline decision: 8 of 10 agree; kappa = (0.8 - 0.3) / (1 - 0.3)."""
    pairs = {
        ("critical", "critical"): 3,
        ("critical", "high"): 1,
        ("high", "high"): 2,
        ("high", "medium"): 1,
        ("low", "low"): 3,
    }
    for (label, decision), count in pairs.items():
        for _ in range(count):
            _seed(sessions, level=decision, label=label)
    _seed(sessions, level="low")  # no staff label: not compared
    _seed(sessions, level="low", label="critical", received_at=BEFORE_WINDOW)


CONFUSION = {"critical": {"critical": 3, "high": 1}, "high": {"high": 2, "medium": 1}, "low": {"low": 3}}


def test_model_agreement_share_and_kappa(
    small_client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    _seed_confusion(sessions)

    agreement = _summary(small_client, keys)["model_agreement"]

    # chance agreement: (4 x 3 + 3 x 3 + 3 x 3) / 10^2 = 0.3 (row x column totals per level)
    assert agreement == {
        "n": 10,
        "agree": 8,
        "share": 0.8,
        "ci95": [0.4902, 0.9433],
        "cohen_kappa": 0.7143,
        "confusion": CONFUSION,
        "withheld": False,
    }


def test_model_agreement_withheld_below_the_minimum_keeps_counts(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    _seed_confusion(sessions)

    body = _summary(client, keys)  # the default minimum sample, 30

    assert body["min_sample"] == 30
    assert body["model_agreement"] == {
        "n": 10,
        "agree": 8,
        "share": None,
        "ci95": None,
        "cohen_kappa": None,
        "confusion": CONFUSION,
        "withheld": True,
    }


def test_kappa_is_null_where_chance_alone_agrees(
    small_client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    for _ in range(MIN_SAMPLE):
        _seed(sessions, level="low", label="low")

    agreement = _summary(small_client, keys)["model_agreement"]

    assert (agreement["share"], agreement["cohen_kappa"]) == (1.0, None)
    assert agreement["confusion"] == {"low": {"low": 5}}


def test_empty_window_withholds_everything_and_matches_the_openapi_schema(
    small_client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    empty = _summary(small_client, keys)
    assert empty["nps"]["n"] == 0 and empty["nps"]["withheld"] is True
    assert empty["time_to_acknowledge"]["overall"] == {
        "n_acknowledged": 0,
        "n_open": 0,
        "median_minutes": None,
        "p90_minutes": None,
        "withheld": True,
    }
    assert empty["model_agreement"]["confusion"] == {} and empty["model_agreement"]["withheld"] is True

    _seed_confusion(sessions)
    for minutes in range(1, 6):
        _seed(sessions, level="critical", ack_after_minutes=minutes, nps_category="promoter")
    full = _summary(small_client, keys)

    document = small_client.simulate_get("/openapi.json").json
    operation = document["paths"]["/v1/analytics/summary"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator(schema)
    for body in (empty, full):
        assert validator.is_valid(body), list(validator.iter_errors(body))
    assert set(schema["required"]) == set(full)


def test_summary_refuses_kiosk_keys(small_client: testing.TestClient, keys: dict[str, str]) -> None:
    response = small_client.simulate_get("/v1/analytics/summary", params=WINDOW, headers=auth(keys["kiosk"]))
    assert response.status_code == 403
