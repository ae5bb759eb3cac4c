"""POST/GET/DELETE /v1/reminders, the appointment import, consent and template endpoints:
roles, validation with nothing half-stored, idempotent imports, checked templates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.keys import create_key
from models.reminders import Appointment, MessageTemplate, Reminder
from tests.channels.conftest import auth, count

SOON = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
REMINDER = {
    "patient_ref": "MRN-0001",
    "channel": "sms",
    "to": "+1 (415) 555-0123",
    "kind": "appointment",
    "appointment_at": SOON.isoformat(),
    "timezone": "America/New_York",
    "language": "es",
}


@pytest.fixture
def keys(sessions: sessionmaker[Session]) -> dict[str, str]:
    with session_scope(sessions) as session:
        return {
            role: create_key(session, f"{role}-key", role)
            for role in ("kiosk", "integration", "staff", "admin")
        }


def test_a_reminder_is_scheduled_inside_the_window_and_shown_masked(client: testing.TestClient, keys) -> None:  # type: ignore[no-untyped-def]
    created = client.simulate_post("/v1/reminders", json=REMINDER, headers=auth(keys["integration"]))
    assert created.status_code == 201
    assert created.json["status"] == "scheduled"
    shown = client.simulate_get(f"/v1/reminders/{created.json['id']}", headers=auth(keys["staff"]))
    assert shown.status_code == 200
    view = shown.json
    assert view["to"] == "…0123" and "+1415" not in json.dumps(view)
    sending = datetime.fromisoformat(view["send_at"]).astimezone(
        __import__("zoneinfo").ZoneInfo("America/New_York")
    )
    assert 8 <= sending.hour < 21 and view["reply"] is None


def test_cancelling_works_until_sent(
    client: testing.TestClient, keys, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    created = client.simulate_post("/v1/reminders", json=REMINDER, headers=auth(keys["staff"])).json["id"]
    assert client.simulate_delete(f"/v1/reminders/{created}", headers=auth(keys["staff"])).status_code == 204
    assert (
        client.simulate_get(f"/v1/reminders/{created}", headers=auth(keys["staff"])).json["status"]
        == "cancelled"
    )
    other = client.simulate_post("/v1/reminders", json=REMINDER, headers=auth(keys["staff"])).json["id"]
    with session_scope(sessions) as session:
        session.get(Reminder, other).status = "sent"
    assert client.simulate_delete(f"/v1/reminders/{other}", headers=auth(keys["staff"])).status_code == 409
    assert client.simulate_delete("/v1/reminders/unknown", headers=auth(keys["staff"])).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"to": "not a phone"}, "to"),
        ({"channel": "email", "to": "nobody"}, "to"),
        ({"appointment_at": None}, "appointment_at"),
        ({"kind": "marketing"}, "kind"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_reminders_are_refused_naming_the_field(
    client: testing.TestClient, keys, sessions, change, field
) -> None:  # type: ignore[no-untyped-def]
    body = {k: v for k, v in (REMINDER | change).items() if v is not None}
    response = client.simulate_post("/v1/reminders", json=body, headers=auth(keys["staff"]))
    assert response.status_code == 422
    assert any(error["field"].endswith(field) for error in response.json["errors"])
    assert count(sessions, Reminder) == 0


def test_roles(client: testing.TestClient, keys) -> None:  # type: ignore[no-untyped-def]
    assert client.simulate_post("/v1/reminders", json=REMINDER).status_code == 401
    assert (
        client.simulate_post("/v1/reminders", json=REMINDER, headers=auth(keys["kiosk"])).status_code == 403
    )
    assert client.simulate_get("/v1/admin/templates", headers=auth(keys["staff"])).status_code == 403


CSV = """external_id,patient_ref,channel,to,timezone,language,appointment_at
A-1,MRN-1,sms,+33612340001,Europe/Paris,fr,2026-03-09T09:30:00
A-2,MRN-2,email,jo@mail.example,America/Los_Angeles,en,2026-03-09T14:00:00-08:00
A-3,MRN-3,sms,+34612340003,Europe/Madrid,es,2026-03-10T11:00:00
"""


def test_import_is_idempotent_per_appointment_id(client: testing.TestClient, keys, sessions) -> None:  # type: ignore[no-untyped-def]
    headers = {**auth(keys["integration"]), "Content-Type": "text/csv"}
    first = client.simulate_post("/v1/reminders/import", body=CSV, headers=headers)
    assert first.status_code == 200 and first.json == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    again = client.simulate_post("/v1/reminders/import", body=CSV, headers=headers)
    assert again.json == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3}
    moved = {
        "appointments": [
            {
                "external_id": "A-1",
                "patient_ref": "MRN-1",
                "channel": "sms",
                "to": "+33612340001",
                "timezone": "Europe/Paris",
                "language": "fr",
                "appointment_at": "2026-03-09T10:30:00",
            }
        ]
    }
    updated = client.simulate_post("/v1/reminders/import", json=moved, headers=auth(keys["integration"]))
    assert updated.json == {"rows": 1, "created": 0, "updated": 1, "unchanged": 0}
    with sessions() as session:
        paris = session.query(Appointment).filter_by(external_id="A-1").one()
        assert paris.appointment_at == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)  # 10:30 in Paris
        assert "+3361234" not in paris.recipient_encrypted
    assert count(sessions, Appointment) == 3


def test_an_import_with_one_bad_row_stores_nothing(client: testing.TestClient, keys, sessions) -> None:  # type: ignore[no-untyped-def]
    bad = CSV + "A-4,MRN-4,sms,12,Nowhere/City,en,tomorrow\n"
    response = client.simulate_post(
        "/v1/reminders/import", body=bad, headers={**auth(keys["staff"]), "Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json["errors"]}
    assert {"appointments.3.to", "appointments.3.timezone", "appointments.3.appointment_at"} <= fields
    assert count(sessions, Appointment) == 0
    wrong_type = client.simulate_post(
        "/v1/reminders/import", body="x", headers={**auth(keys["staff"]), "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415


def test_consent_is_one_record_per_patient(client: testing.TestClient, keys) -> None:  # type: ignore[no-untyped-def]
    path = "/v1/consents/MRN-77"
    assert client.simulate_get(path, headers=auth(keys["staff"])).json["state"] == "granted"
    revoked = client.simulate_put(
        path, json={"state": "revoked", "via": "kiosk"}, headers=auth(keys["integration"])
    )
    assert revoked.status_code == 200
    assert client.simulate_get(path, headers=auth(keys["staff"])).json["state"] == "revoked"
    scheduled = client.simulate_post(
        "/v1/reminders", json=REMINDER | {"patient_ref": "MRN-77"}, headers=auth(keys["staff"])
    )
    assert scheduled.json["status"] == "suppressed"


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("{provider}: your appointment is on {date} at {time}.", "STOP"),
        ("Your appointment is on {date} at {time}. Reply STOP to opt out.", "provider"),
        ("{provider}: your {diagnosis} follow-up is on {date}. Reply STOP to opt out.", "diagnosis"),
        ("{provider}: your chemotherapy is on {date} at {time}. Reply STOP to opt out.", "chemotherapy"),
        (
            "{provider}: " + "please remember your appointment " * 6 + "{date}. Reply STOP to opt out.",
            "segment",
        ),
    ],
)
def test_a_template_is_checked_before_it_is_saved(
    client: testing.TestClient, keys, sessions, body, complaint
) -> None:  # type: ignore[no-untyped-def]
    response = client.simulate_put(
        "/v1/admin/templates/appointment/sms/en", json={"body": body}, headers=auth(keys["admin"])
    )
    assert response.status_code == 422
    assert any(complaint.lower() in error["message"].lower() for error in response.json["errors"])
    assert count(sessions, MessageTemplate) == 0


def test_a_valid_template_is_saved_and_used(client: testing.TestClient, keys, sessions) -> None:  # type: ignore[no-untyped-def]
    body = "{provider}: see you {date} at {time}. C to confirm, R to change. STOP to opt out."
    saved = client.simulate_put(
        "/v1/admin/templates/appointment/sms/en", json={"body": body}, headers=auth(keys["admin"])
    )
    assert saved.status_code == 200
    created = client.simulate_post(
        "/v1/reminders", json=REMINDER | {"language": "en"}, headers=auth(keys["staff"])
    )
    with sessions() as session:
        assert session.get(Reminder, created.json["id"]).body.endswith(
            "C to confirm, R to change. STOP to opt out."
        )
    listed = client.simulate_get("/v1/admin/templates", headers=auth(keys["admin"])).json["templates"]
    assert len(listed) == 12 and body in {t["body"] for t in listed}
    assert (
        client.simulate_put(
            "/v1/admin/templates/appointment/fax/en", json={"body": body}, headers=auth(keys["admin"])
        ).status_code
        == 404
    )


def test_edge_inputs_are_field_errors_or_not_found_never_a_crash(
    client: testing.TestClient, keys, sessions
) -> None:  # type: ignore[no-untyped-def]
    staff = auth(keys["staff"])
    end_of_time = REMINDER | {
        "kind": "survey_invite",
        "send_at": "9999-12-31T23:00:00",
        "timezone": "Pacific/Kiritimati",
    }
    response = client.simulate_post("/v1/reminders", json=end_of_time, headers=staff)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "send_at"
    row = "A-9,MRN-9,sms,+33612340009,Etc/GMT+12,en,9999-12-31T23:59:59\n"
    imported = client.simulate_post(
        "/v1/reminders/import",
        body=CSV.splitlines()[0] + "\n" + row,
        headers={**staff, "Content-Type": "text/csv"},
    )
    assert (
        imported.status_code == 422 and imported.json["errors"][0]["field"] == "appointments.0.appointment_at"
    )
    assert client.simulate_get("/v1/reminders/a%00b", headers=staff).status_code == 404
    assert client.simulate_get("/v1/consents/a%00b", headers=staff).status_code == 422
    assert client.simulate_get("/v1/unsubscribe/some-id/%C3%A9t%C3%A9").status_code == 404
    assert count(sessions, Reminder) == 0 and count(sessions, Appointment) == 0
