"""A worker SIGKILLed while Twilio holds its page request: after a restart every on-call
recipient has exactly one SMS and one email, and every page is recorded as sent.

The killed worker's SMS reached Twilio but was never recorded; the restarted worker waits
out the claim's lease, finds the message at Twilio (`find_sent`) and does not send it again.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import redis
from sqlalchemy import select

from models.db import make_engine, make_session_factory
from models.tables import Alert
from tests.conftest import REDIS_URL
from tests.fakes.providers import fake_providers
from tests.support.http import call
from tests.support.polling import wait_until
from tests.support.processes import (
    Role,
    create_key_by_cli,
    ingest_role,
    role_env,
    run_cli,
    running,
    wait_healthy,
)

NURSES = {"Nurse A": ("+15550100001", "a@h.example"), "Nurse B": ("+15550100002", "b@h.example")}


def test_worker_killed_mid_page_delivers_once_per_recipient(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis
) -> None:
    release = threading.Event()
    with fake_providers() as providers:
        twilio, sendgrid = providers.twilio, providers.sendgrid
        env = role_env(
            pg_url,
            REDIS_URL,
            tmp_path,
            CELERY_VISIBILITY_TIMEOUT="5",
            PROVIDER_TIMEOUT_SECONDS="2",
            ESCALATION_CHECK_SECONDS="2",
            **providers.env(),
        )
        for name, (phone, email) in NURSES.items():
            run_cli(env, "oncall", "add", name, "--phone", phone, "--email", email)
        kiosk = create_key_by_cli(env, "kiosk", "fault-kiosk")
        twilio.hold_creates(release)
        ingest, base_url = ingest_role(env, tmp_path)
        with running(ingest):
            wait_healthy(base_url)
            status, body = call(
                "POST", f"{base_url}/v1/feedback", kiosk, {"text": "she collapsed and is not breathing"}
            )
            assert status == 202
            worker = Role(["worker", "--concurrency", "1"], env, tmp_path / "worker-1.log")
            with running(worker):
                assert twilio.create_started.wait(90), "the first page never reached Twilio"
                worker.kill()  # Twilio has the SMS; the worker never hears back or records it
            release.set()
            assert len(twilio.messages) == 1 and sendgrid.mails == []

            restarted = Role(["worker", "--concurrency", "1"], env, tmp_path / "worker-2.log")
            beat = Role(["beat"], env, tmp_path / "beat.log")
            sessions = make_session_factory(make_engine(pg_url))

            def pages() -> list[Alert]:
                with sessions() as session:
                    return session.scalars(select(Alert).where(Alert.feedback_id == body["id"])).all()

            with running(restarted, beat):
                wait_until(
                    lambda: len(pages()) == 4 and all(a.status == "sent" for a in pages()),
                    120,
                    "pages did not all complete after the restart",
                )

    sms = Counter(message.to for message in twilio.messages)
    mail = Counter(address for message in sendgrid.mails for address in message.to)
    assert sms == Counter(phone for phone, _ in NURSES.values())
    assert mail == Counter(email for _, email in NURSES.values())
    killed_page = next(a for a in pages() if a.channel == "sms" and a.attempts == 2)
    assert killed_page.provider_id == twilio.messages[0].sid
