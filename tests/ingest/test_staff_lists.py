"""Staff lists, CSV export and analytics over real databases."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Feedback
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.stage import analyze_feedback
from pipelines.urgency.stage import score_feedback
from tests.ingest.conftest import auth

TEXTS = [
    "my father in bed 4 can't breathe and nobody comes",
    '=HYPERLINK("http://x") the food was cold',
    "Wonderful nurses, thank you",
    "The wait was long but the doctor was kind",
]


@pytest.fixture
def analyzed(sessions: sessionmaker[Session]) -> list[str]:
    """Feedback over four days, analyzed and scored as the pipeline would."""
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    with session_scope(sessions) as session:
        items = [
            Feedback(
                channel="kiosk" if n % 2 else "web",
                text=text,
                rating=5 - n,
                department="ER",
                received_at=start + timedelta(days=n),
            )
            for n, text in enumerate(TEXTS)
        ]
        session.add_all(items)
        session.flush()
        ids = [item.id for item in items]
    with session_scope(sessions) as session:
        analyze_feedback(session, ids, LocalAnalyzer())
    with session_scope(sessions) as session:
        score_feedback(session, ids)
    return ids


def test_list_filters_and_pages_newest_first(
    client: testing.TestClient, keys: dict[str, str], analyzed: list[str]
) -> None:
    staff = auth(keys["staff"])
    first = client.simulate_get("/v1/feedback", params={"limit": 3}, headers=staff).json
    second = client.simulate_get(
        "/v1/feedback", params={"limit": 3, "cursor": first["next_cursor"]}, headers=staff
    ).json

    assert [item["id"] for item in first["items"] + second["items"]] == list(reversed(analyzed))
    assert second["next_cursor"] is None
    critical = client.simulate_get("/v1/feedback", params={"urgency": "critical"}, headers=staff).json
    assert [item["id"] for item in critical["items"]] == [analyzed[0]]
    window = client.simulate_get(
        "/v1/feedback",
        params={
            "since": "2026-11-02T00:00:00+00:00",
            "until": "2026-11-04T00:00:00+00:00",
            "channel": "kiosk",
        },
        headers=staff,
    ).json
    assert [item["id"] for item in window["items"]] == [analyzed[1]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"urgency": "dire"}, "urgency"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "!!"}, "cursor"),
    ],
)
def test_list_rejects_bad_parameters(
    client: testing.TestClient, keys: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = client.simulate_get("/v1/feedback", params=params, headers=auth(keys["staff"]))
    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == [field]


def test_staff_routes_refuse_kiosk_keys(client: testing.TestClient, keys: dict[str, str]) -> None:
    for path in ("/v1/feedback", "/v1/feedback/export.csv", "/v1/analytics/summary", "/v1/analytics/trends"):
        assert client.simulate_get(path, headers=auth(keys["kiosk"])).status_code == 403
        assert client.simulate_get(path).status_code == 401


def test_export_streams_csv_without_formula_injection(
    client: testing.TestClient, keys: dict[str, str], analyzed: list[str]
) -> None:
    response = client.simulate_get(
        "/v1/feedback/export.csv", params={"channel": "kiosk"}, headers=auth(keys["staff"])
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["id"] for row in rows} == {analyzed[1], analyzed[3]}
    injected = next(row for row in rows if row["id"] == analyzed[1])
    assert injected["text"].startswith("'=")


def test_summary_withholds_shares_below_the_minimum_sample(
    client: testing.TestClient, keys: dict[str, str], analyzed: list[str]
) -> None:
    body = client.simulate_get(
        "/v1/analytics/summary",
        params={"since": "2026-10-01", "until": "2026-12-01"},
        headers=auth(keys["staff"]),
    ).json

    assert body["total"] == 4
    assert body["by_urgency"]["n"] == 4 and body["by_urgency"]["withheld"] is True
    assert body["by_urgency"]["values"]["critical"] == {"count": 1, "share": None, "ci95": None}
    assert body["by_channel"]["values"]["kiosk"]["count"] == 2
    assert body["rating"] == {"n": 4, "withheld": True, "mean": None, "ci95": None}


def test_summary_shows_shares_with_intervals_above_the_minimum(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    with session_scope(sessions) as session:
        session.add_all(Feedback(channel="kiosk", rating=4 + n % 2, text="ok") for n in range(40))
    body = client.simulate_get("/v1/analytics/summary", headers=auth(keys["staff"])).json

    kiosk = body["by_channel"]["values"]["kiosk"]
    assert kiosk["share"] == 1.0 and kiosk["ci95"][0] > 0.9 and kiosk["ci95"][1] == 1.0
    assert body["rating"]["mean"] == 4.5 and body["rating"]["ci95"][0] < 4.5 < body["rating"]["ci95"][1]


def test_trends_count_per_day(client: testing.TestClient, keys: dict[str, str], analyzed: list[str]) -> None:
    body = client.simulate_get(
        "/v1/analytics/trends",
        params={"since": "2026-11-01", "until": "2026-11-05"},
        headers=auth(keys["staff"]),
    ).json

    assert [day["date"] for day in body["days"]] == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
    assert body["days"][0]["urgency"] == {"critical": 1}
    assert all(day["total"] == 1 for day in body["days"])
