"""The fake Twilio Messages and SendGrid Mail Send servers, driven by the real SDKs exactly as
production code drives the real services: if the SDKs accept the fakes' answers, tests and
benchmarks built on the fakes exercise the same code paths as a real send."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from python_http_client.exceptions import (
    BadRequestsError,
    HTTPError,
    InternalServerError,
    TooManyRequestsError,
    UnauthorizedError,
)
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, Mail
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tests.fakes.sendgrid_server import FakeSendGrid, fake_sendgrid
from tests.fakes.twilio_server import FakeTwilio, fake_twilio
from tests.support.polling import wait_until

ACCOUNT_SID = "AC" + "7" * 32
AUTH_TOKEN = "fake-twilio-token-0123456789abcdef"
SENDGRID_KEY = "SG.fake-key.0123456789"
SENDER = "+15550001111"
PATIENT = "+15550102222"
OTHER_PATIENT = "+15550103333"
MESSAGING_SERVICE = "MG" + "a" * 32
ROOT = Path(__file__).parents[2]


def twilio_client(fake: FakeTwilio, token: str = AUTH_TOKEN) -> Client:
    client = Client(ACCOUNT_SID, token, http_client=TwilioHttpClient(timeout=5))
    client.api.base_url = fake.base_url  # the Api domain builds every Messages URL from it
    return client


def sendgrid_client(fake: FakeSendGrid, key: str = SENDGRID_KEY) -> SendGridAPIClient:
    client = SendGridAPIClient(key, host=fake.base_url)
    client.client.timeout = 5  # python_http_client waits forever by default
    return client


def survey_mail(to: str = "patient@example.org") -> Mail:
    mail = Mail(
        from_email="surveys@hospital.example",
        to_emails=to,
        subject="How was your visit?",
        plain_text_content="Tell us about your visit: https://feedback.hospital.example/s/abc",
    )
    mail.custom_arg = CustomArg("feedback_request", "42")
    return mail


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with fake_sendgrid(SENDGRID_KEY) as fake:
        yield fake


@contextmanager
def standalone(module: str, *args: str) -> Iterator[str]:
    """Run a fake's command line as benchmarks do; yield the base URL it prints."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, "0", *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()  # printed once it listens
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url), base_url
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def log_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# Twilio


def test_twilio_create_returns_a_queued_message_and_the_fake_records_it(twilio: FakeTwilio) -> None:
    before = time.monotonic()
    message = twilio_client(twilio).messages.create(to=PATIENT, from_=SENDER, body="How was your visit?")
    after = time.monotonic()

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert (message.to, message.from_, message.body) == (PATIENT, SENDER, "How was your visit?")
    assert (message.status, message.direction, message.num_segments) == ("queued", "outbound-api", "1")
    assert message.account_sid == ACCOUNT_SID and message.api_version == "2010-04-01"
    assert isinstance(message.date_created, datetime) and message.date_sent is None  # RFC 2822 parsed
    assert message.error_code is None and message.price is None
    assert message.uri == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message.sid}.json"
    [recorded] = twilio.messages
    assert (recorded.sid, recorded.to, recorded.from_, recorded.body) == (
        message.sid,
        PATIENT,
        SENDER,
        "How was your visit?",
    )
    assert recorded.messaging_service_sid is None
    assert before <= recorded.received_monotonic <= after
    assert abs(recorded.received_at - time.time()) < 60
    assert twilio.requests == [f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"]


def test_twilio_create_through_a_messaging_service_is_accepted(twilio: FakeTwilio) -> None:
    message = twilio_client(twilio).messages.create(
        to=PATIENT,
        messaging_service_sid=MESSAGING_SERVICE,
        body="Reply STOP to opt out",
        status_callback="https://feedback.hospital.example/v1/twilio/status",
    )

    assert message.status == "accepted" and message.messaging_service_sid == MESSAGING_SERVICE
    [recorded] = twilio.messages
    assert recorded.from_ is None and recorded.messaging_service_sid == MESSAGING_SERVICE
    assert recorded.status_callback == "https://feedback.hospital.example/v1/twilio/status"


def test_twilio_list_filters_by_recipient_newest_first_and_pages(twilio: FakeTwilio) -> None:
    client = twilio_client(twilio)
    for to, body in [(PATIENT, "first"), (OTHER_PATIENT, "other"), (PATIENT, "second"), (PATIENT, "third")]:
        client.messages.create(to=to, from_=SENDER, body=body)

    listed = client.messages.list(to=PATIENT, limit=20)
    assert [m.body for m in listed] == ["third", "second", "first"]
    assert {m.sid for m in listed} == {m.sid for m in twilio.messages if m.to == PATIENT}
    assert [m.body for m in client.messages.list(to=PATIENT, page_size=2)] == ["third", "second", "first"]
    assert [m.body for m in client.messages.list(from_=SENDER, limit=2)] == ["third", "second"]
    assert client.messages.list(to="+15550109999", limit=20) == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": "", "from_": SENDER, "body": "hi"}, 21604),
        ({"to": PATIENT, "from_": SENDER}, 21602),
        ({"to": PATIENT, "body": "hi"}, 21603),
    ],
    ids=["to", "body", "from"],
)
def test_twilio_create_without_a_required_field_is_a_400(
    twilio: FakeTwilio, fields: dict[str, str], code: int
) -> None:
    with pytest.raises(TwilioRestException) as raised:
        twilio_client(twilio).messages.create(**fields)

    assert (raised.value.status, raised.value.code) == (400, code)
    assert twilio.messages == []


def test_twilio_scripted_invalid_number_raises_once_then_sends(twilio: FakeTwilio) -> None:
    client = twilio_client(twilio)
    twilio.fail_next(400, code=21211)

    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=PATIENT, from_=SENDER, body="hi")
    assert (raised.value.status, raised.value.code) == (400, 21211)
    assert "Invalid 'To' Phone Number" in raised.value.msg
    assert twilio.messages == []

    assert client.messages.create(to=PATIENT, from_=SENDER, body="hi").sid == twilio.messages[0].sid


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (429, 20429)])
def test_twilio_scripted_outage_fails_count_creations(twilio: FakeTwilio, status: int, code: int) -> None:
    client = twilio_client(twilio)
    twilio.fail_next(status, count=2)

    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(to=PATIENT, from_=SENDER, body="hi")
        assert (raised.value.status, raised.value.code) == (status, code)
    assert twilio.messages == []
    client.messages.create(to=PATIENT, from_=SENDER, body="hi")
    assert len(twilio.messages) == 1


def test_twilio_wrong_token_is_a_401(twilio: FakeTwilio) -> None:
    with pytest.raises(TwilioRestException) as raised:
        twilio_client(twilio, token="wrong").messages.create(to=PATIENT, from_=SENDER, body="hi")

    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert twilio.messages == []


def test_twilio_held_creation_is_recorded_before_it_is_answered(twilio: FakeTwilio) -> None:
    release = threading.Event()
    twilio.hold_creates(release)
    client = twilio_client(twilio)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(client.messages.create, to=PATIENT, from_=SENDER, body="held")
        assert twilio.create_started.wait(timeout=5)
        assert [m.body for m in twilio.messages] == ["held"]
        assert not pending.done()  # the fake answers only once released
        release.set()
        assert pending.result(timeout=5).sid == twilio.messages[0].sid
    assert twilio.wait_for_creates(1, timeout=0)
    assert not twilio.wait_for_creates(2, timeout=0)


def test_twilio_standalone_logs_each_created_message(tmp_path: Path) -> None:
    log = tmp_path / "twilio.jsonl"
    args = ("--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN, "--log", str(log))
    with standalone("tests.fakes.twilio_server", *args) as base_url:
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=TwilioHttpClient(timeout=5))
        client.api.base_url = base_url
        message = client.messages.create(to=PATIENT, from_=SENDER, body="benchmark")
        [line] = wait_until(lambda: log_lines(log), 10, "the standalone fake logs the message")

    assert (line["sid"], line["to"], line["body"]) == (message.sid, PATIENT, "benchmark")
    assert abs(line["received_at"] - time.time()) < 60


# SendGrid


def test_sendgrid_send_is_accepted_and_the_fake_records_it(sendgrid: FakeSendGrid) -> None:
    before = time.monotonic()
    response = sendgrid_client(sendgrid).send(survey_mail())

    assert response.status_code == 202 and response.body == b""
    message_id = response.headers["X-Message-Id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", message_id)
    [mail] = sendgrid.mails
    assert mail.message_id == message_id
    assert (mail.to, mail.from_, mail.subject) == (
        ["patient@example.org"],
        "surveys@hospital.example",
        "How was your visit?",
    )
    assert mail.text == "Tell us about your visit: https://feedback.hospital.example/s/abc"
    assert mail.custom_args == {"feedback_request": "42"}
    assert before <= mail.received_monotonic <= time.monotonic()


@pytest.mark.parametrize("missing", ["personalizations", "from", "content", "subject"])
def test_sendgrid_incomplete_mail_is_a_400_naming_the_field(sendgrid: FakeSendGrid, missing: str) -> None:
    body = survey_mail().get()
    del body[missing]

    with pytest.raises(BadRequestsError) as raised:
        sendgrid_client(sendgrid).send(body)

    [error] = raised.value.to_dict["errors"]
    assert error["field"] == {"from": "from.email"}.get(missing, missing)
    assert error["message"] and error["help"].startswith("http://sendgrid.com/docs/")
    assert sendgrid.mails == []


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, InternalServerError), (429, TooManyRequestsError), (400, BadRequestsError)],
)
def test_sendgrid_scripted_failures_raise_then_clear(
    sendgrid: FakeSendGrid, status: int, error: type[HTTPError]
) -> None:
    client = sendgrid_client(sendgrid)
    sendgrid.fail_next(status, count=2)

    for _ in range(2):
        with pytest.raises(error) as raised:
            client.send(survey_mail())
        assert raised.value.status_code == status and raised.value.to_dict["errors"][0]["message"]
    assert sendgrid.mails == []
    assert client.send(survey_mail()).status_code == 202
    assert len(sendgrid.mails) == 1


def test_sendgrid_wrong_key_is_unauthorized(sendgrid: FakeSendGrid) -> None:
    with pytest.raises(UnauthorizedError) as raised:
        sendgrid_client(sendgrid, key="SG.wrong").send(survey_mail())

    assert raised.value.to_dict == {
        "errors": [
            {
                "message": "The provided authorization grant is invalid, expired, or revoked",
                "field": None,
                "help": None,
            }
        ]
    }
    assert sendgrid.mails == []


def test_sendgrid_standalone_logs_each_accepted_mail(tmp_path: Path) -> None:
    log = tmp_path / "sendgrid.jsonl"
    with standalone("tests.fakes.sendgrid_server", "--api-key", SENDGRID_KEY, "--log", str(log)) as base_url:
        client = SendGridAPIClient(SENDGRID_KEY, host=base_url)
        client.client.timeout = 5
        response = client.send(survey_mail("bench@example.org"))
        [line] = wait_until(lambda: log_lines(log), 10, "the standalone fake logs the mail")

    assert line["message_id"] == response.headers["X-Message-Id"]
    assert (line["to"], line["subject"]) == (["bench@example.org"], "How was your visit?")
    assert line["custom_args"] == {"feedback_request": "42"}
