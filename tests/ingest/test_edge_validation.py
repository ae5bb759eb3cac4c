"""What the database would refuse is refused at the edge (issue 19, items 1, 2, 6, 7): a
field error or a 400 that names the problem, nothing stored, never a 500."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from falcon import testing
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.tables import Feedback
from tests.ingest.conftest import auth

DEEP = ("[" * 5000 + "]" * 5000).encode()
CRITICAL = "my father in bed 4 cannot breathe and nobody comes"
INJECTED_DEPARTMENT = "ward-3\r\nBcc: attacker@evil.example\r\n\r\nJohn Smith DOB 1950"


def stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Feedback))


def fields(response: testing.Result) -> set[str]:
    return {error["field"] for error in response.json["errors"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"submitted_at": "9999-12-31T23:59:59-14:00"}, "submitted_at"),
        ({"submitted_at": "0001-01-01T00:00:00+14:00"}, "submitted_at"),
        ({"submitted_at": "2001-01-01T00:00:00Z"}, "submitted_at"),
        ({"language": "en-abcdefgh-abcdefgh"}, "language"),
        ({"department": INJECTED_DEPARTMENT}, "department"),
        ({"department": "w" * 65}, "department"),
        ({"patient_ref": "p" * 129}, "patient_ref"),
        ({"text": "bad \u0000 byte"}, "text"),
        ({"channel": "kiosk\u0000"}, "channel"),
    ],
    ids=[
        "year-9999",
        "year-1",
        "clock-years-behind",
        "language-over-its-column",
        "department-with-header-injection",
        "department-over-its-column",
        "patient-ref-over-its-column",
        "nul-in-text",
        "nul-in-channel",
    ],
)
def test_a_value_the_database_would_refuse_is_a_422_naming_it(
    client: testing.TestClient,
    keys: dict[str, str],
    sessions: sessionmaker[Session],
    change: dict[str, str],
    field: str,
) -> None:
    body = {"channel": "kiosk", "text": CRITICAL, "department": "ward-3", **change}
    response = client.simulate_post("/v1/feedback", json=body, headers=auth(keys["kiosk"]))
    assert response.status_code == 422, response.text
    assert response.json["title"] == "Invalid fields"
    assert fields(response) == {field}
    assert stored(sessions) == 0


def test_submitted_at_within_the_window_is_kept_and_without_offset_is_utc(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    naive = yesterday.replace(tzinfo=None, microsecond=0).isoformat()
    response = client.simulate_post(
        "/v1/feedback", json={"text": "fine", "submitted_at": naive}, headers=auth(keys["kiosk"])
    )
    assert response.status_code == 202
    item = client.simulate_get(f"/v1/feedback/{response.json['id']}", headers=auth(keys["staff"])).json
    assert datetime.fromisoformat(item["submitted_at"]) == yesterday.replace(microsecond=0)


def test_feedback_without_channel_is_a_kiosks(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    """The README documents `channel` as optional, defaulting to kiosk (the first senders)."""
    response = client.simulate_post("/v1/feedback", json={"text": "fine"}, headers=auth(keys["kiosk"]))
    assert response.status_code == 202
    item = client.simulate_get(f"/v1/feedback/{response.json['id']}", headers=auth(keys["staff"])).json
    assert item["channel"] == "kiosk"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/v1/feedback", "application/json"),
        ("/v1/feedback/batch", "application/json"),
        ("/v1/surveys/responses", "application/json"),
        ("/v1/reminders", "application/json"),
        ("/v1/reminders/import", "application/json"),
    ],
)
@pytest.mark.parametrize(
    "body", [DEEP, ('{"a":' + "[" * 40 + "1" + "]" * 40 + "}").encode()], ids=["5000", "41"]
)
def test_json_nested_deeper_than_the_bound_is_a_400(
    client: testing.TestClient,
    keys: dict[str, str],
    sessions: sessionmaker[Session],
    path: str,
    content_type: str,
    body: bytes,
) -> None:
    response = client.simulate_post(
        path, body=body, headers={**auth(keys["staff"]), "Content-Type": content_type}
    )
    assert response.status_code == 400, response.text
    assert response.json["title"] == "JSON nested too deeply"
    assert stored(sessions) == 0


def test_one_bad_item_of_a_batch_is_invalid_and_the_others_are_created(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    items = [{"client_id": f"c{n}", "text": f"visit {n} was fine"} for n in range(3)]
    items[1]["language"] = "en-abcdefgh-abcdefgh"
    response = client.simulate_post("/v1/feedback/batch", json={"items": items}, headers=auth(keys["kiosk"]))
    assert response.status_code == 200, response.text
    results = response.json["results"]
    assert [result["result"] for result in results] == ["created", "invalid", "created"]
    assert results[1]["errors"][0]["field"] == "language"
    assert stored(sessions) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"language": "en-abcdefgh-abcdefgh"},
        {"submitted_at": "9999-12-31T23:59:59-14:00"},
        {"department": "a\nb"},
    ],
)
def test_a_survey_the_database_would_refuse_is_a_422(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session], change: dict[str, str]
) -> None:
    body = {"survey": "discharge", "answers": [{"question": "q", "type": "nps", "value": 9}], **change}
    response = client.simulate_post("/v1/surveys/responses", json=body, headers=auth(keys["kiosk"]))
    assert response.status_code == 422, response.text
    assert fields(response) == set(change)
    assert stored(sessions) == 0


NUL_ID = "3f2b8c1e-0000-4000-8000-00000000000\u0000"


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/v1/feedback", "channel=%00", "channel"),
        ("/v1/feedback", "channel=fax", "channel"),
        ("/v1/feedback/export.csv", "channel=%00", "channel"),
        ("/v1/feedback", "since=0001-01-01T00:00:00%2B14:00", "since"),
        ("/v1/feedback", "until=9999-12-31T23:59:59-14:00", "until"),
        ("/v1/feedback", "since=2026-01-01%00", "since"),
        ("/v1/feedback/export.csv", "since=0001-01-01", "since"),
        ("/v1/analytics/summary", "since=0001-01-01T00:00:00%2B14:00", "since"),
        ("/v1/analytics/summary", "until=9999-12-31T23:59:59-14:00", "until"),
        ("/v1/analytics/trends", "since=0001-01-01", "since"),
        ("/v1/analytics/trends", "until=9999-12-31", "until"),
        ("/v1/feedback", f"cursor={_cursor('[' * 1500)}", "cursor"),
        ("/v1/feedback", "cursor=" + _cursor(json.dumps(["2026-12-01T00:00:00+00:00", NUL_ID])), "cursor"),
        ("/v1/feedback", f"cursor={_cursor(json.dumps(['9999-12-31T23:59:59-14:00', 'x']))}", "cursor"),
        ("/v1/feedback", "cursor=%00", "cursor"),
        ("/v1/feedback", f"cursor={'A' * 5000}", "cursor"),
    ],
)
def test_a_query_parameter_out_of_shape_is_a_422_naming_it(
    client: testing.TestClient, keys: dict[str, str], path: str, query: str, field: str
) -> None:
    response = client.simulate_get(path, query_string=query, headers=auth(keys["staff"]))
    assert response.status_code == 422, response.text
    assert fields(response) == {field}


def test_filter_times_in_range_without_offset_are_utc(
    client: testing.TestClient, keys: dict[str, str]
) -> None:
    for path in ("/v1/feedback", "/v1/analytics/summary"):
        response = client.simulate_get(
            path, query_string="since=2026-01-01&until=2099-12-31T00:00:00", headers=auth(keys["staff"])
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "feedback_id", ["%00", "not-an-id", "3F2B8C1E-0000-4000-8000-000000000000" + "0" * 300]
)
def test_an_id_out_of_shape_is_a_404(
    client: testing.TestClient, keys: dict[str, str], feedback_id: str
) -> None:
    assert client.simulate_get(f"/v1/feedback/{feedback_id}", headers=auth(keys["staff"])).status_code == 404
    patched = client.simulate_patch(
        f"/v1/feedback/{feedback_id}", json={"triage_state": "acknowledged"}, headers=auth(keys["staff"])
    )
    assert patched.status_code == 404
    assert patched.json["title"] == "Not found"


def test_an_idempotency_key_with_nul_is_a_422(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    response = client.simulate_post(
        "/v1/feedback", json={"text": "fine"}, headers={**auth(keys["kiosk"]), "Idempotency-Key": "a\x00b"}
    )
    assert response.status_code == 422
    assert fields(response) == {"Idempotency-Key"}
    assert stored(sessions) == 0
