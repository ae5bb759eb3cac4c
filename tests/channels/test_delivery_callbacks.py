"""Delivery status: Twilio status callbacks and SendGrid events, signed or refused with
nothing changed; permanent failures suppress the contact, transient ones retry with
backoff, repeated SendGrid events count once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from models.reminders import Consent, DeliveryEvent, Reminder, SuppressedContact
from pipelines.reminders.policy import ReminderPolicy
from tests.channels.conftest import channel_settings, count, make_client, post_signed
from tests.support.outreach import dispatch_at, providers_and_sender, reminders, schedule, send_now
from tests.support.sendgrid_signing import EventSigner

SIGNER = EventSigner()
RULES = ReminderPolicy.from_settings(channel_settings())
NOON = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # noon in Paris


@pytest.fixture
def app(sessions: sessionmaker[Session], redis_client) -> testing.TestClient:  # type: ignore[no-untyped-def]
    return make_client(sessions, sendgrid_webhook_public_key=SIGNER.public_key)


def send_one(sessions: sessionmaker[Session], channel: str, to: str, patient: str = "MRN-1") -> Reminder:
    return send_now(sessions, RULES, NOON, channel=channel, to=to, patient_ref=patient)


def status(app: testing.TestClient, sid: str, state: str, code: str | None = None):  # type: ignore[no-untyped-def]
    form = {"MessageSid": sid, "MessageStatus": state, "AccountSid": "AC" + "1" * 32}
    if code:
        form["ErrorCode"] = code
    return post_signed(app, "/v1/twilio/status", form)


def events(
    app: testing.TestClient, payload: list[dict[str, object]], signer: EventSigner = SIGNER, **headers: str
):  # type: ignore[no-untyped-def]
    raw = json.dumps(payload).encode()
    return app.simulate_post("/v1/sendgrid/events", body=raw, headers=signer.headers(raw) | headers)


def snapshot(sessions: sessionmaker[Session]) -> tuple[object, ...]:
    with sessions() as session:
        rows = [
            (r.id, r.status, r.delivery_status, r.send_at)
            for r in session.query(Reminder).order_by(Reminder.id)
        ]
    return (
        rows,
        count(sessions, DeliveryEvent),
        count(sessions, SuppressedContact),
        count(sessions, Consent),
    )


def test_forged_twilio_status_is_refused_and_changes_nothing(app, sessions) -> None:  # type: ignore[no-untyped-def]
    row = send_one(sessions, "sms", "+33612340001")
    before = snapshot(sessions)
    form = {"MessageSid": row.provider_id, "MessageStatus": "undelivered", "ErrorCode": "30006"}
    forged = post_signed(app, "/v1/twilio/status", form, token="someone-elses-token")
    unsigned = app.simulate_post(
        "/v1/twilio/status",
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert snapshot(sessions) == before


def test_forged_sendgrid_events_are_refused_and_change_nothing(app, sessions) -> None:  # type: ignore[no-untyped-def]
    row = send_one(sessions, "email", "jo@mail.example")
    before = snapshot(sessions)
    payload = [
        {
            "event": "unsubscribe",
            "email": "jo@mail.example",
            "sg_event_id": "e1",
            "carepulse_key": f"reminder:{row.id}",
        }
    ]
    raw = json.dumps(payload).encode()
    tampered = app.simulate_post(
        "/v1/sendgrid/events", body=raw.replace(b"e1", b"e2"), headers=SIGNER.headers(raw)
    )
    other_key = events(app, payload, signer=EventSigner())
    garbage = events(app, payload, **{"X-Twilio-Email-Event-Webhook-Signature": "not-base64!!"})
    unsigned = app.simulate_post(
        "/v1/sendgrid/events", body=raw, headers={"Content-Type": "application/json"}
    )
    assert {r.status_code for r in (tampered, other_key, garbage, unsigned)} == {403}
    assert snapshot(sessions) == before
    unconfigured = make_client(sessions)
    assert events(unconfigured, payload).status_code == 403
    assert snapshot(sessions) == before


@pytest.mark.parametrize("code", ["21610", "21211", "30005", "30006", "30007"])
def test_a_permanent_twilio_failure_suppresses_the_number_without_retry(app, sessions, code) -> None:  # type: ignore[no-untyped-def]
    row = send_one(sessions, "sms", "+33612340002")
    assert status(app, row.provider_id, "undelivered", code).status_code == 204
    [after] = reminders(sessions)
    assert (after.status, after.delivery_status) == ("failed", "undelivered")
    with sessions() as session:
        assert session.get(SuppressedContact, row.recipient_hash).reason == f"twilio {code}"
    # The next message to that number is held back, not sent.
    with providers_and_sender() as (providers, sender):
        assert schedule(
            sessions, RULES, NOON, patient_ref="MRN-2", channel="sms", to="+33612340002"
        ).status == ("suppressed")
        dispatch_at(sessions, sender, RULES, NOON + timedelta(hours=1))
        assert providers.twilio.messages == []


def test_a_transient_twilio_failure_retries_later_and_a_delivery_is_recorded(app, sessions) -> None:  # type: ignore[no-untyped-def]
    row = send_one(sessions, "sms", "+33612340003")
    assert status(app, row.provider_id, "undelivered", "30003").status_code == 204
    [after] = reminders(sessions)
    assert after.status == "scheduled" and after.send_at > NOON
    assert status(app, row.provider_id, "undelivered", "30003").status_code == 204  # a retried callback
    assert reminders(sessions)[0].send_at == after.send_at
    with providers_and_sender() as (providers, sender):
        dispatch_at(sessions, sender, RULES, after.send_at)
        assert len(providers.twilio.messages) == 1
    resent = reminders(sessions)[0]
    assert status(app, resent.provider_id, "delivered").status_code == 204
    assert reminders(sessions)[0].status == "delivered"


def test_provider_errors_at_send_time_back_off_then_fail_on_record(sessions) -> None:  # type: ignore[no-untyped-def]
    schedule(sessions, RULES, NOON, patient_ref="MRN-9", channel="sms", to="+33612340009")
    moments = []
    with providers_and_sender() as (providers, sender):
        providers.twilio.fail_next(503, count=RULES.max_attempts)
        moment = NOON
        for _ in range(RULES.max_attempts):
            dispatch_at(sessions, sender, RULES, moment)
            [row] = reminders(sessions)
            if row.status == "scheduled":
                moments.append(row.send_at)
            moment = row.send_at
        assert providers.twilio.messages == []
    [row] = reminders(sessions)
    assert row.status == "failed" and "gave up after" in row.error
    gaps = [later - earlier for earlier, later in zip([NOON, *moments], moments, strict=False)]
    assert gaps == sorted(gaps) and gaps[0] < gaps[-1]


def test_sendgrid_bounce_suppresses_and_repeated_events_count_once(app, sessions) -> None:  # type: ignore[no-untyped-def]
    row = send_one(sessions, "email", "ann@mail.example")
    key = f"reminder:{row.id}"
    delivered = [
        {"event": "delivered", "email": "ann@mail.example", "sg_event_id": "d-1", "carepulse_key": key}
    ]
    assert events(app, delivered).status_code == 204
    assert events(app, delivered).status_code == 204  # SendGrid delivers events more than once
    assert reminders(sessions)[0].status == "delivered"
    bounce = [
        {
            "event": "bounce",
            "type": "bounce",
            "email": "ann@mail.example",
            "sg_event_id": "b-1",
            "carepulse_key": key,
        }
    ]
    assert events(app, bounce + bounce).status_code == 204
    with sessions() as session:
        assert session.query(DeliveryEvent).count() == 2
        assert session.get(SuppressedContact, row.recipient_hash).reason == "sendgrid bounce"
    assert reminders(sessions)[0].status == "failed"


def test_a_spam_report_revokes_the_patients_consent(app, sessions) -> None:  # type: ignore[no-untyped-def]
    row = send_one(sessions, "email", "bo@mail.example", patient="MRN-SPAM")
    report = [
        {
            "event": "spamreport",
            "email": "bo@mail.example",
            "sg_event_id": "s-1",
            "carepulse_key": f"reminder:{row.id}",
        }
    ]
    assert events(app, report).status_code == 204
    with sessions() as session:
        assert session.get(Consent, "MRN-SPAM").state == "revoked"


@pytest.mark.parametrize(
    "signed_at",
    [
        lambda: datetime(2001, 9, 9, tzinfo=UTC),
        lambda: datetime.now(UTC) - timedelta(minutes=11),
        lambda: datetime.now(UTC) + timedelta(minutes=11),
    ],
    ids=["2001", "eleven-minutes-ago", "eleven-minutes-ahead"],
)
def test_sendgrid_events_signed_outside_the_replay_window_are_refused(app, sessions, signed_at) -> None:  # type: ignore[no-untyped-def]
    """A captured request replayed later carries a valid signature: its timestamp gives it away.
    (The times are taken when the test runs, not when it is collected.)"""
    row = send_one(sessions, "email", "jo@mail.example")
    before = snapshot(sessions)
    payload = [
        {
            "event": "unsubscribe",
            "email": "jo@mail.example",
            "sg_event_id": "r1",
            "carepulse_key": f"reminder:{row.id}",
        }
    ]
    raw = json.dumps(payload).encode()
    replayed = app.simulate_post(
        "/v1/sendgrid/events", body=raw, headers=SIGNER.headers(raw, str(int(signed_at().timestamp())))
    )
    assert replayed.status_code == 403
    assert "replay" in replayed.json["description"]
    assert snapshot(sessions) == before
    fresh = app.simulate_post(
        "/v1/sendgrid/events",
        body=raw,
        headers=SIGNER.headers(raw, str(int((datetime.now(UTC) - timedelta(minutes=9)).timestamp()))),
    )
    assert fresh.status_code == 204
