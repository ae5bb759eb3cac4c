"""A worker SIGKILLed while Twilio holds its page request: after a restart every on-call
recipient has exactly one SMS and one email, and every page is recorded as sent.

The killed worker's SMS reached Twilio but was never recorded; the restarted worker waits
out the claim's lease, finds the message at Twilio (`find_sent`) and does not send it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import redis
from sqlalchemy import select

from models.tables import Alert
from tests.conftest import REDIS_URL
from tests.fakes.providers import fake_providers
from tests.support.fault_system import ALL_QUEUES, fault_env, fault_system
from tests.support.fault_table import FaultRow
from tests.support.processes import run_cli

NURSES = {"Nurse A": ("+15550100001", "a@h.example"), "Nurse B": ("+15550100002", "b@h.example")}
CONTACTS = tuple(page for phone, email in NURSES.values() for page in (("sms", phone), ("email", email)))


def test_worker_killed_mid_page_delivers_once_per_recipient(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis, record_fault: Callable[[FaultRow, str], None]
) -> None:
    release = threading.Event()
    with fake_providers() as providers:
        twilio, sendgrid = providers.twilio, providers.sendgrid
        # The provider timeout outlasts the kill; the claim's lease is 2 * 2 + 5 s.
        env = fault_env(pg_url, REDIS_URL, tmp_path, providers, PROVIDER_TIMEOUT_SECONDS="2")
        for name, (phone, email) in NURSES.items():
            run_cli(env, "oncall", "add", name, "--phone", phone, "--email", email)
        twilio.hold_creates(release)
        with fault_system(env, providers, CONTACTS) as system:
            kiosk = system.kiosk()
            kiosk.post_many(1, critical_every=1)
            worker = system.start(system.worker(ALL_QUEUES))
            assert twilio.create_started.wait(90), "the first page never reached Twilio"
            worker.kill()  # Twilio has the SMS; the worker never hears back or records it
            release.set()
            assert len(twilio.messages) == 1 and sendgrid.mails == []

            system.start(system.worker(ALL_QUEUES))
            outcome = system.wait_settled(kiosk, 120)
            with system.sessions() as session:
                pages = session.scalars(select(Alert).where(Alert.feedback_id.in_(kiosk.accepted))).all()

    record_fault(outcome.row("SIGKILL worker while Twilio holds a page"), outcome.details())
    assert outcome.sent == len(CONTACTS) and all(page.status == "sent" for page in pages)
    # Claimed with its batch before the kill and again after the restart.
    assert all(page.attempts == 2 for page in pages)
    killed_to = next(name for name, (phone, _) in NURSES.items() if phone == twilio.messages[0].to)
    killed_page = next(page for page in pages if page.channel == "sms" and page.recipient == killed_to)
    assert killed_page.provider_id == twilio.messages[0].sid
