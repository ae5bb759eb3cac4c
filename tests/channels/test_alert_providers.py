"""Pages sent through the real twilio and sendgrid SDKs to local fakes of their APIs:
retried with backoff when the provider is briefly down, failed for good when it refuses,
and never sent twice after a worker died between the provider's answer and our record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.oncall import Escalation
from models.tables import Alert, Feedback, utcnow
from pipelines.alert_delivery import deliver_alerts, give_up
from pipelines.alerts import alert_message, route_feedback
from pipelines.clients.messaging import (
    DeliveryRejected,
    DeliveryRetryable,
    OutboundMessage,
)
from pipelines.clients.sendgrid_email import SendGridEmailSender
from pipelines.clients.twilio_sms import TwilioSmsSender
from tests.fakes.providers import ACCOUNT_SID, AUTH_TOKEN, SENDGRID_KEY, fake_providers
from tests.fakes.sendgrid_server import FakeSendGrid
from tests.fakes.twilio_server import FakeTwilio
from tests.support.alerting import LEASE, policy, providers, roster, scored_item

NURSE_PHONE = "+15550100"
NURSE_EMAIL = "nurse@h.example"
POLICY = policy()
ROSTER = roster(sms_to=NURSE_PHONE, email_to=NURSE_EMAIL)


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTwilio, FakeSendGrid]]:
    with fake_providers() as providers:
        yield providers.twilio, providers.sendgrid


@pytest.fixture
def twilio(fakes: tuple[FakeTwilio, FakeSendGrid]) -> FakeTwilio:
    return fakes[0]


@pytest.fixture
def sendgrid(fakes: tuple[FakeTwilio, FakeSendGrid]) -> FakeSendGrid:
    return fakes[1]


def critical_alerts(sessions: sessionmaker[Session]) -> list[int]:
    feedback_id = scored_item(sessions)
    with session_scope(sessions) as session:
        return route_feedback(session, [feedback_id], ROSTER, POLICY, utcnow())


def statuses(sessions: sessionmaker[Session]) -> dict[str, tuple[str, int]]:
    with sessions() as session:
        return {a.channel: (a.status, a.attempts) for a in session.scalars(select(Alert))}


def test_a_page_reaches_twilio_and_sendgrid_once(
    sessions: sessionmaker[Session], twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    sender = providers(twilio, sendgrid)
    alert_ids = critical_alerts(sessions)
    for _ in range(2):
        report = deliver_alerts(sessions, alert_ids, sender, POLICY, LEASE)
        assert not report.unfinished
    assert [m.to for m in twilio.messages] == [NURSE_PHONE]
    assert [m.to for m in sendgrid.mails] == [[NURSE_EMAIL]]
    assert "ward-3" in twilio.messages[0].body and "ACK " in twilio.messages[0].body
    assert sendgrid.mails[0].custom_args["carepulse_key"].startswith("alert-")
    with sessions() as session:
        provider_ids = {a.channel: a.provider_id for a in session.scalars(select(Alert))}
    assert provider_ids["sms"] == twilio.messages[0].sid
    assert provider_ids["email"] == sendgrid.mails[0].message_id


def test_a_provider_outage_is_retried_then_delivered_once(
    sessions: sessionmaker[Session], twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    sender = providers(twilio, sendgrid)
    alert_ids = critical_alerts(sessions)
    twilio.fail_next(503)
    sendgrid.fail_next(429)
    first = deliver_alerts(sessions, alert_ids, sender, POLICY, LEASE)
    assert first.unfinished and sorted(first.retry) == sorted(alert_ids)
    assert statuses(sessions) == {"sms": ("retry", 1), "email": ("retry", 1)}
    second = deliver_alerts(sessions, alert_ids, sender, POLICY, LEASE)
    assert not second.unfinished
    assert statuses(sessions) == {"sms": ("sent", 2), "email": ("sent", 2)}
    assert len(twilio.messages) == 1 and len(sendgrid.mails) == 1


def test_a_refused_number_fails_without_retry(
    sessions: sessionmaker[Session], twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    sender = providers(twilio, sendgrid)
    alert_ids = critical_alerts(sessions)
    twilio.fail_next(400, code=21211)
    sendgrid.fail_next(400)
    report = deliver_alerts(sessions, alert_ids, sender, POLICY, LEASE)
    assert not report.unfinished and report.sent == []
    with sessions() as session:
        errors = {a.channel: (a.status, a.error) for a in session.scalars(select(Alert))}
    assert errors["sms"] == ("failed", "Twilio refused the message: 400 (code 21211)")
    assert errors["email"] == ("failed", "SendGrid refused the message: 400")
    assert NURSE_PHONE not in str(errors)  # errors never name the address


def test_a_send_the_worker_did_not_record_is_found_at_twilio_not_repeated(
    sessions: sessionmaker[Session], twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    sender = providers(twilio, sendgrid)
    (sms_alert, _email_alert) = critical_alerts(sessions)
    # A worker claimed the page and Twilio accepted it, then the worker died unrecorded.
    claimed = utcnow() - LEASE.length - timedelta(seconds=1)
    with session_scope(sessions) as session:
        alert = session.get(Alert, sms_alert)
        alert.status, alert.claimed_at, alert.attempts = "sending", claimed, 1
        item = session.get(Feedback, alert.feedback_id)
        code = session.scalar(select(Escalation.ack_code).where(Escalation.feedback_id == item.id))
        twilio_sid = sender.send(session, alert_message(alert, item, code, POLICY))

    report = deliver_alerts(sessions, [sms_alert], sender, POLICY, LEASE)
    assert report.sent == [sms_alert]
    assert len(twilio.messages) == 1
    with sessions() as session:
        alert = session.get(Alert, sms_alert)
    assert (alert.status, alert.provider_id, alert.attempts) == ("sent", twilio_sid, 2)


def test_a_claim_inside_its_lease_is_left_to_its_worker(
    sessions: sessionmaker[Session], twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    (sms_alert, _) = critical_alerts(sessions)
    with session_scope(sessions) as session:
        alert = session.get(Alert, sms_alert)
        alert.status, alert.claimed_at = "sending", utcnow()
    report = deliver_alerts(sessions, [sms_alert], providers(twilio, sendgrid), POLICY, LEASE)
    assert report.in_flight == [sms_alert] and twilio.messages == []


def test_sdk_errors_are_classified(twilio: FakeTwilio, sendgrid: FakeSendGrid) -> None:
    sender = providers(twilio, sendgrid)
    sms = OutboundMessage(channel="sms", to=NURSE_PHONE, body="b", dedupe_key="k")
    email = OutboundMessage(channel="email", to=NURSE_EMAIL, body="b", dedupe_key="k", subject="s")
    twilio.fail_next(429)
    with pytest.raises(DeliveryRetryable):
        sender.send(None, sms)  # type: ignore[arg-type]
    sendgrid.fail_next(500)
    with pytest.raises(DeliveryRetryable):
        sender.send(None, email)  # type: ignore[arg-type]
    unreachable = TwilioSmsSender(
        ACCOUNT_SID, AUTH_TOKEN, "http://127.0.0.1:9", from_number="+1555", timeout=2
    )
    with pytest.raises(DeliveryRetryable):
        unreachable.send(None, sms)  # type: ignore[arg-type]
    wrong_key = SendGridEmailSender("SG.wrong", "a@h.example", sendgrid.base_url, timeout=2)
    with pytest.raises(DeliveryRejected):
        wrong_key.send(None, email)  # type: ignore[arg-type]


def test_exhausted_retries_leave_a_recorded_failure(
    sessions: sessionmaker[Session], twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    sender = providers(twilio, sendgrid)
    alert_ids = critical_alerts(sessions)
    twilio.fail_next(500)
    deliver_alerts(sessions, alert_ids, sender, POLICY, LEASE)
    with sessions() as session:
        feedback_id = session.get(Alert, alert_ids[0]).feedback_id
    with session_scope(sessions) as session:
        assert give_up(session, [feedback_id], "feedback.route: DeliveryRetryable") == 1
    with sessions() as session:
        alerts = {a.channel: (a.status, a.error) for a in session.scalars(select(Alert))}
    assert alerts == {
        "sms": ("failed", "Twilio answered 500 (code 20500)"),
        "email": ("sent", None),
    }


def test_provider_calls_log_no_contact_detail_or_text(
    twilio: FakeTwilio, sendgrid: FakeSendGrid, caplog: pytest.LogCaptureFixture
) -> None:
    sender = providers(twilio, sendgrid)
    sms = OutboundMessage(channel="sms", to=NURSE_PHONE, body="page body ward-3", dedupe_key="k1")
    email = OutboundMessage(channel="email", to=NURSE_EMAIL, body="page body", dedupe_key="k2", subject="s")
    # INFO: the level every role runs at (DEBUG is a developer's tool: urllib3 and
    # SQLAlchemy then print URLs and query parameters too).
    with caplog.at_level(logging.INFO):
        sender.send(None, sms)  # type: ignore[arg-type]
        sender.find_sent(None, sms, utcnow())  # type: ignore[arg-type]
        sender.send(None, email)  # type: ignore[arg-type]
    assert len(twilio.messages) == 1 and len(sendgrid.mails) == 1
    for secret in (NURSE_PHONE, NURSE_PHONE.lstrip("+"), NURSE_EMAIL, "page body", AUTH_TOKEN, SENDGRID_KEY):
        assert secret not in caplog.text
