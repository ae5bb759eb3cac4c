"""The logs of a whole running system (ingest, worker, beat, through the real Twilio and
SendGrid SDKs) after a kiosk item, an SMS from a patient, the pages they cause and an ACK
reply: JSON lines only, the kiosk item followed by its id from ingest through every stage,
and no phone number, email address or feedback text anywhere."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from carepulse.private_redis import free_port
from models.db import make_engine, make_session_factory
from models.oncall import Escalation
from models.tables import Feedback
from tests.conftest import REDIS_URL
from tests.fakes.providers import AUTH_TOKEN, fake_providers
from tests.support.http import call
from tests.support.json_logs import about, json_lines
from tests.support.polling import wait_until
from tests.support.processes import Role, create_key_by_cli, role_env, run_cli, running, wait_healthy

NURSE_PHONE, NURSE_EMAIL = "+15550142424", "charge.nurse@hospital.example"
PATIENT_PHONE = "+15550187878"
KIOSK_TEXT = "Quokka7731 my father in bed 4 cannot breathe and nobody comes"
SMS_TEXT = "Wombat5521 the night nurse shouted at my mother"
FIELDS = {"timestamp", "level", "logger", "process", "message"}


def post_twilio(base_url: str, path: str, form: dict[str, str]) -> str:
    """POST a form signed as Twilio signs it (PUBLIC_BASE_URL is base_url here)."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{base_url}{path}", form)
    request = urllib.request.Request(
        f"{base_url}{path}",
        data=urllib.parse.urlencode(form).encode(),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def assert_followed_by_id(records: dict[str, list[dict[str, Any]]], feedback_id: str) -> None:
    """Ingest's one line for the request that accepted the item, and a line of every stage
    that handled it."""
    ingest = [record for record in records["ingest.log"] if about(record, feedback_id)]
    assert [(r["logger"], r["message"], r["route"], r["status"]) for r in ingest] == [
        ("ingest.correlation", "feedback accepted", "/v1/feedback", 202)
    ], "the item's id is missing from ingest's lines, or labels another request"
    stages = {record.get("task_name") for record in records["worker.log"] if about(record, feedback_id)}
    assert {"feedback.analyze", "feedback.score", "feedback.route"} <= stages


def test_logs_hold_no_contact_detail_or_feedback_text(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    sessions = make_session_factory(make_engine(pg_url))
    with fake_providers() as providers:
        env = role_env(pg_url, REDIS_URL, tmp_path, PUBLIC_BASE_URL=base_url, **providers.env())
        run_cli(env, "oncall", "add", "Charge nurse", "--phone", NURSE_PHONE, "--email", NURSE_EMAIL)
        kiosk = create_key_by_cli(env, "kiosk", "scan-kiosk")
        roles = (
            Role(["ingest", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env, tmp_path / "ingest.log"),
            Role(["worker", "--concurrency", "2"], env, tmp_path / "worker.log"),
            Role(["beat"], env, tmp_path / "beat.log"),
        )
        with running(*roles):
            wait_healthy(base_url)
            status, created = call(
                "POST", f"{base_url}/v1/feedback", kiosk, {"text": KIOSK_TEXT, "department": "ward-3"}
            )
            assert status == 202
            sms = {
                "MessageSid": "SM" + "7" * 32,
                "From": PATIENT_PHONE,
                "To": "+15559990000",
                "Body": SMS_TEXT,
            }
            assert "<Message>" in post_twilio(base_url, "/v1/twilio/sms", sms)
            assert providers.twilio.wait_for_creates(1, timeout=90), "the page never reached Twilio"
            wait_until(lambda: providers.sendgrid.mails, 60, "the email page never reached SendGrid")

            def analyzed() -> bool:
                with sessions() as session:
                    count = session.scalar(select(func.count()).where(Feedback.status == "analyzed"))
                    return count == 2

            wait_until(analyzed, 60, "the kiosk and SMS items were not both analyzed")
            with sessions() as session:
                code = session.scalar(
                    select(Escalation.ack_code).where(Escalation.feedback_id == created["id"])
                )
            ack = {
                "MessageSid": "SM" + "8" * 32,
                "From": NURSE_PHONE,
                "To": "+15559990000",
                "Body": f"ACK {code}",
            }
            assert "acknowledged" in post_twilio(base_url, "/v1/twilio/sms", ack)

    logs = {path.name: path.read_text(errors="replace") for path in tmp_path.glob("*.log")}
    assert set(logs) == {"ingest.log", "worker.log", "beat.log"} and all(logs.values())
    records = {name: json_lines(text, name) for name, text in logs.items()}
    assert all(FIELDS <= record.keys() for lines in records.values() for record in lines)
    assert_followed_by_id(records, created["id"])
    secrets = [KIOSK_TEXT, "Quokka7731", SMS_TEXT, "Wombat5521", NURSE_EMAIL]
    digits = [re.sub(r"\D", "", phone) for phone in (NURSE_PHONE, PATIENT_PHONE)]
    for name, text in logs.items():
        for secret in secrets:
            assert secret not in text, f"{name} holds {secret!r}"
        flat = re.sub(r"\D", "", text)
        for number in digits:
            assert number not in flat, f"{name} holds a phone number"
