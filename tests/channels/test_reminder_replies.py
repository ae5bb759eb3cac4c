"""Patients answering reminders and revoking consent by SMS, and email one-click
unsubscribe: C and R recorded on the right reminder, a late reply treated as feedback,
revocations in English, French and Spanish stopping every channel, a GET changing nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.keys import create_key
from models.reminders import Consent, Reminder
from models.tables import Feedback, utcnow
from pipelines.reminders.policy import ReminderPolicy
from tests.channels.conftest import auth, channel_settings, count, post_signed
from tests.channels.test_twilio_sms import sms
from tests.support.outreach import dispatch_at, providers_and_sender, reminders, schedule, send_now

RULES = ReminderPolicy.from_settings(channel_settings())
NOON = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
ANN, BOB = "+33612340101", "+33612340102"


def texts(response: testing.Result) -> list[str]:
    return [message.text or "" for message in ET.fromstring(response.text).iter("Message")]


def sent_reminder(sessions: sessionmaker[Session], phone: str, patient: str, sent_ago: timedelta) -> Reminder:
    """An appointment reminder sent to `phone`, as if `sent_ago` before now."""
    row = send_now(
        sessions,
        RULES,
        NOON,
        channel="sms",
        to=phone,
        patient_ref=patient,
        kind="appointment",
        appointment_at=NOON + timedelta(days=1),
        language="fr",
    )
    with session_scope(sessions) as session:
        session.get(Reminder, row.id).sent_at = utcnow() - sent_ago
    return row


def test_c_and_r_are_recorded_on_the_right_reminder(client: testing.TestClient, sessions) -> None:  # type: ignore[no-untyped-def]
    older = sent_reminder(sessions, ANN, "MRN-ANN-CHILD", timedelta(hours=30))  # one phone, two patients
    ann = sent_reminder(sessions, ANN, "MRN-ANN", timedelta(hours=2))
    bob = sent_reminder(sessions, BOB, "MRN-BOB", timedelta(hours=1))
    confirmed = post_signed(client, "/v1/twilio/sms", sms("c", sid="SM" + "c" * 32, phone=ANN))
    assert texts(confirmed) == ["Merci, votre rendez-vous est confirme."]
    post_signed(client, "/v1/twilio/sms", sms("R.", sid="SM" + "r" * 32, phone=BOB))
    with sessions() as session:
        assert session.get(Reminder, ann.id).reply == "confirmed"
        assert session.get(Reminder, older.id).reply is None
        assert session.get(Reminder, bob.id).reply == "reschedule"
    assert count(sessions, Feedback) == 0
    with session_scope(sessions) as session:
        staff = create_key(session, "front-desk", "staff")
    shown = client.simulate_get(f"/v1/reminders/{bob.id}", headers=auth(staff)).json
    assert shown["reply"]["answer"] == "reschedule"


def test_a_reply_after_the_window_is_new_feedback_not_an_answer(client: testing.TestClient, sessions) -> None:  # type: ignore[no-untyped-def]
    old = sent_reminder(sessions, ANN, "MRN-ANN", RULES.reply_window + timedelta(hours=1))
    post_signed(client, "/v1/twilio/sms", sms("C", sid="SM" + "d" * 32, phone=ANN))
    with sessions() as session:
        assert session.get(Reminder, old.id).reply is None
        assert [item.text for item in session.query(Feedback)] == ["C"]


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Please stop texting me", "en"),
        ("Arrêtez de m'envoyer des messages svp", "fr"),
        ("Ya no quiero recibir mensajes", "es"),
        ("ARRÊT", "fr"),
        ("no más", "es"),
    ],
)
def test_a_revocation_stops_every_channel_with_one_confirmation(
    client: testing.TestClient, sessions, body: str, language: str
) -> None:  # type: ignore[no-untyped-def]
    patient = "MRN-STOP"
    sent_reminder(
        sessions, ANN, patient, timedelta(days=5)
    )  # how the number is known to belong to the patient
    for channel, to in (("sms", ANN), ("email", "ann@mail.example")):
        schedule(
            sessions,
            RULES,
            NOON,
            patient_ref=patient,
            channel=channel,
            to=to,
            send_at=NOON + timedelta(days=1),
        )
    answer = post_signed(client, "/v1/twilio/sms", sms(body, sid="SM" + "e" * 32, phone=ANN))
    [confirmation] = texts(answer)
    assert "START" in confirmation and RULES.provider in confirmation
    assert {"en": "no more", "fr": "ne recevrez plus", "es": "no recibira"}[language] in confirmation
    with sessions() as session:
        assert session.get(Consent, patient).state == "revoked"
    with providers_and_sender() as (providers, sender):
        dispatch_at(sessions, sender, RULES, NOON + timedelta(days=1))
        assert providers.twilio.messages == [] and providers.sendgrid.mails == []
    assert {row.channel for row in reminders(sessions, status="suppressed")} == {"sms", "email"}
    assert count(sessions, Feedback) == 0


def test_stop_is_confirmed_by_the_carrier_alone(client: testing.TestClient, sessions) -> None:  # type: ignore[no-untyped-def]
    sent_reminder(sessions, BOB, "MRN-BOB", timedelta(days=5))
    answer = post_signed(client, "/v1/twilio/sms", sms("STOP", sid="SM" + "f" * 32, phone=BOB))
    assert texts(answer) == []
    with sessions() as session:
        assert session.get(Consent, "MRN-BOB").state == "revoked"


def test_one_click_unsubscribe_needs_a_post_and_a_get_changes_nothing(
    client: testing.TestClient, sessions
) -> None:  # type: ignore[no-untyped-def]
    with providers_and_sender() as (providers, sender):
        schedule(sessions, RULES, NOON, patient_ref="MRN-MAIL", channel="email", to="cy@mail.example")
        dispatch_at(sessions, sender, RULES, NOON)
        [mail] = providers.sendgrid.mails
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail.headers["List-Unsubscribe"].strip("<>")
    assert link in (mail.text or "")
    path = urlparse(link).path
    page = client.simulate_get(path)
    assert page.status_code == 200 and 'method="post"' in page.text
    with sessions() as session:
        assert session.get(Consent, "MRN-MAIL") is None  # still the consent given at booking
    forged = client.simulate_post(
        path[:-4] + "0000",
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status_code == 404
    done = client.simulate_post(
        path, body="List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert done.status_code == 200
    with sessions() as session:
        assert session.get(Consent, "MRN-MAIL").state == "revoked"
