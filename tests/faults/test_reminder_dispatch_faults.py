"""The reminder dispatcher under faults, with real workers and beats on PostgreSQL and Redis:
every due reminder reaches its provider exactly once.

- A worker SIGKILLed while Twilio holds a reminder's create request: the whole claimed
  chunk is left `sending`. After the claim's lease (workers.runtime.delivery_lease: here
  2*3 + 5 s) the restarted worker's dispatcher asks Twilio for each row (`find_sent`),
  records the held message as sent and sends only the others.
- Two beat processes at once, each sending `reminders.dispatch` every second to two
  workers: FOR UPDATE SKIP LOCKED keeps the dispatchers from claiming a row twice.

Every reminder's timezone is one where it is early afternoon now (`daytime_zone`), so the
08:00-21:00 send window is open whatever the hour the tests run at.
"""

from __future__ import annotations

import ast
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import redis
from sqlalchemy import func, select

from models.db import make_engine, make_session_factory, session_scope
from models.reminders import Reminder
from models.settings import load_settings
from models.tables import utcnow
from pipelines.reminders.booking import schedule_reminder
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.requests import ReminderRequest
from tests.conftest import REDIS_URL
from tests.fakes.providers import FakeProviders, fake_providers
from tests.support.fault_table import FaultRow
from tests.support.polling import wait_until
from tests.support.processes import Role, role_env, running
from workers.app import app

# One zone per UTC offset from -11 to +14: at any instant one of them reads 13:30-14:30.
ZONES = (
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Cape_Verde",
    "Africa/Abidjan",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Noumea",
    "Pacific/Auckland",
    "Pacific/Tongatapu",
    "Pacific/Kiritimati",
)
KILLED_BATCH = 12
BEATS_BATCH = 40
SPACING = timedelta(seconds=0.1)  # the two-beat batch falls due over four seconds
DISPATCH = "reminders.dispatch"
UNSETTLED = frozenset({"scheduled", "sending"})


def daytime_zone(now: datetime) -> str:
    """The zone whose clock is nearest 14:00 now: hours from either edge of the send window."""

    def distance(zone: str) -> int:
        local = now.astimezone(ZoneInfo(zone))
        return abs(local.hour * 60 + local.minute - 14 * 60)

    return min(ZONES, key=distance)


def outreach_worker(env: dict[str, str], log: Path, concurrency: int = 1) -> Role:
    return Role(["worker", "--queues", "outreach", "--concurrency", str(concurrency)], env, log)


def book(pg_url: str, env: dict[str, str], channels: list[str], spacing: timedelta) -> dict[str, str]:
    """One survey invitation per channel entry, to a patient and address of its own, the
    n-th due `n * spacing` from now; {reminder id: address} (the phone as Twilio sees it)."""
    policy = ReminderPolicy.from_settings(load_settings(env))
    engine = make_engine(pg_url)
    now = utcnow()
    zone = daytime_zone(now)
    booked = {}
    with session_scope(make_session_factory(engine)) as session:
        for n, channel in enumerate(channels):
            request = ReminderRequest.model_validate(
                {
                    "kind": "survey_invite",
                    "patient_ref": f"MRN-FAULT-{n:04d}",
                    "channel": channel,
                    "to": f"+1555020{n:04d}" if channel == "sms" else f"patient{n}@mail.example",
                    "timezone": zone,
                    "send_at": now + n * spacing,
                }
            )
            row = schedule_reminder(session, request, policy, now, "fault-test")
            assert row.status == "scheduled", row.error
            booked[row.id] = request.to
    engine.dispose()
    return booked


class ReminderTable:
    """The reminders as the test sees them, through an engine of its own."""

    def __init__(self, pg_url: str) -> None:
        self.engine = make_engine(pg_url)
        self._sessions = make_session_factory(self.engine)

    def statuses(self) -> Counter[str]:
        with self._sessions() as session:
            counts = session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all()
        return Counter(dict(counts))

    def rows(self) -> list[Reminder]:
        with self._sessions() as session:
            return list(session.scalars(select(Reminder)))


def reminder_row(
    case: str, booked: dict[str, str], table: ReminderTable, providers: FakeProviders
) -> FaultRow:
    """The case's row for the results table. Every booked reminder has an address of its own:
    an SMS is known at Twilio by its number, an email at SendGrid by its key."""
    rows = {row.id: row for row in table.rows()}
    sms = Counter(message.to for message in providers.twilio.messages)
    emails = Counter(mail.custom_args.get("carepulse_key") for mail in providers.sendgrid.mails)
    received = [
        sms[address] if rows[reminder_id].channel == "sms" else emails[f"reminder:{reminder_id}"]
        for reminder_id, address in booked.items()
    ]
    return FaultRow(
        case,
        accepted=len(booked),
        sent=sum(received),
        completed=sum(1 for reminder_id in booked if rows[reminder_id].status not in UNSETTLED),
        lost=received.count(0),
        duplicates=sum(n - 1 for n in received if n > 1),
    )


@pytest.fixture
def reminders(pg_url: str) -> Iterator[ReminderTable]:
    table = ReminderTable(pg_url)
    yield table
    table.engine.dispose()


@pytest.mark.timeout(240)
def test_worker_killed_mid_dispatch_sends_each_reminder_once(
    pg_url: str,
    tmp_path: Path,
    redis_client: redis.Redis,
    reminders: ReminderTable,
    record_fault: Callable[[FaultRow, str], None],
) -> None:
    """SIGKILL while Twilio holds the first create of a claimed chunk; restart; each once."""
    release = threading.Event()
    with fake_providers() as providers:
        twilio = providers.twilio
        env = role_env(
            pg_url,
            REDIS_URL,
            tmp_path,
            # Longer than the kill takes, and short for the lease (2 * 3 + 5 s).
            PROVIDER_TIMEOUT_SECONDS="3",
            REMINDER_SMS_PER_SECOND="1000",
            REMINDER_DISPATCH_SECONDS="1",
            CELERY_VISIBILITY_TIMEOUT="30",
            **providers.env(),
        )
        booked = book(pg_url, env, ["sms"] * KILLED_BATCH, timedelta(0))
        twilio.hold_creates(release)
        with running(outreach_worker(env, tmp_path / "worker-1.log")) as (worker,):
            with app.connection_for_write() as connection:
                app.send_task(DISPATCH, connection=connection)
            assert twilio.create_started.wait(90), "no reminder reached Twilio"
            worker.kill()  # Twilio has one SMS; the worker never hears back or records it
        release.set()
        assert len(twilio.messages) == 1
        # The whole chunk was claimed and committed before the first provider call.
        assert reminders.statuses() == Counter(sending=KILLED_BATCH)

        restarted = outreach_worker(env, tmp_path / "worker-2.log")
        beat = Role(["beat"], env, tmp_path / "beat.log")
        with running(restarted, beat):
            wait_until(
                lambda: reminders.statuses() == Counter(sent=KILLED_BATCH),
                150,
                "the reminders were not all sent after the lease",
            )

    record_fault(reminder_row("SIGKILL reminder dispatcher mid-send", booked, reminders, providers))
    assert Counter(message.to for message in twilio.messages) == Counter(booked.values())
    sid_by_phone = {message.to: message.sid for message in twilio.messages}
    assert {row.id: row.provider_id for row in reminders.rows()} == {
        reminder_id: sid_by_phone[phone] for reminder_id, phone in booked.items()
    }
    # Every number was looked up at Twilio before anything was sent again.
    looked_up = [parse_qs(urlsplit(path).query)["To"][0] for path in twilio.requests if "To=" in path]
    assert set(looked_up) == set(booked.values())


class TaskEvents:
    """Celery's events on the test broker, read in a thread: which process sent each task,
    what each finished task returned, and which worker processes are up."""

    def __init__(self) -> None:
        self.sent_by: dict[str, int] = {}  # task id -> pid of the sending process
        self.names: dict[str, str] = {}
        self.results: dict[str, Any] = {}
        self._workers: set[int] = set()
        self._lock = threading.Lock()
        self._connection = app.connection_for_read()
        self._receiver = app.events.Receiver(self._connection, handlers={"*": self._on_event})
        self._thread = threading.Thread(target=self._capture, name="celery-events", daemon=True)

    def __enter__(self) -> TaskEvents:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._receiver.should_stop = True
        self._thread.join(timeout=10)
        self._connection.release()

    def _capture(self) -> None:
        self._receiver.capture(limit=None, timeout=None, wakeup=True)

    def _on_event(self, event: dict[str, Any]) -> None:
        with self._lock:
            if event["type"] in ("worker-online", "worker-heartbeat"):
                self._workers.add(event["pid"])
            elif event["type"] == "task-sent":
                self.sent_by[event["uuid"]] = event["pid"]
                self.names[event["uuid"]] = event["name"]
            elif event["type"] == "task-succeeded":
                self.results[event["uuid"]] = ast.literal_eval(event["result"])

    def online(self) -> set[int]:
        with self._lock:
            return set(self._workers)

    def finished(self, name: str) -> dict[str, tuple[int, Any]]:
        """{task id: (sender pid, result)} of every finished task of that name."""
        with self._lock:
            return {
                task: (self.sent_by[task], result)
                for task, result in self.results.items()
                if self.names.get(task) == name
            }


@pytest.mark.timeout(180)
def test_two_beats_dispatch_each_reminder_once(
    pg_url: str,
    tmp_path: Path,
    redis_client: redis.Redis,
    reminders: ReminderTable,
    record_fault: Callable[[FaultRow, str], None],
) -> None:
    """Two beats and two workers over SMS and email reminders falling due: each sent once."""
    with fake_providers() as providers, TaskEvents() as events:
        env = role_env(
            pg_url,
            REDIS_URL,
            tmp_path,
            REMINDER_DISPATCH_SECONDS="1",
            # Slow enough that dispatchers overlap, fast enough for a short test.
            REMINDER_SMS_PER_SECOND="10",
            REMINDER_EMAIL_PER_SECOND="10",
            **providers.env(),
        )
        workers = [outreach_worker(env, tmp_path / f"worker-{n}.log", concurrency=2) for n in (1, 2)]
        beats = [
            Role(
                ["beat"],
                {**env, "CAREPULSE_VAR_DIR": str(tmp_path / f"beat-{n}")},
                tmp_path / f"beat-{n}.log",
            )
            for n in (1, 2)
        ]
        with running(*workers):
            worker_pids = {worker.process.pid for worker in workers if worker.process}
            wait_until(lambda: worker_pids <= events.online(), 60, "the workers never came online")
            with running(*beats):
                beat_pids = {beat.process.pid for beat in beats if beat.process}
                wait_until(
                    lambda: beat_pids <= {pid for pid, _ in events.finished(DISPATCH).values()},
                    60,
                    "the dispatch tasks of both beats did not both run on the workers",
                )
                booked = book(pg_url, env, ["sms", "email"] * (BEATS_BATCH // 2), SPACING)
                wait_until(
                    lambda: reminders.statuses() == Counter(sent=BEATS_BATCH),
                    120,
                    "the reminders were not all sent",
                )
                wait_until(
                    lambda: (
                        sum(result["claimed"] for _, result in events.finished(DISPATCH).values())
                        >= BEATS_BATCH
                    ),
                    30,
                    "the dispatch tasks that sent the reminders never reported",
                )

    record_fault(reminder_row("two beats dispatching reminders", booked, reminders, providers))
    claims = [result["claimed"] for _, result in events.finished(DISPATCH).values()]
    assert sum(claims) == BEATS_BATCH  # no row claimed twice
    assert sum(1 for claimed in claims if claimed) >= 2, "one dispatcher did all the work"

    sms = Counter(message.to for message in providers.twilio.messages)
    emails = Counter(mail.custom_args["carepulse_key"] for mail in providers.sendgrid.mails)
    channel = {row.id: row.channel for row in reminders.rows()}
    assert sms == Counter(to for reminder_id, to in booked.items() if channel[reminder_id] == "sms")
    assert emails == Counter(
        f"reminder:{reminder_id}" for reminder_id in booked if channel[reminder_id] == "email"
    )
    provider_ids = {message.sid for message in providers.twilio.messages} | {
        mail.message_id for mail in providers.sendgrid.mails
    }
    assert {row.provider_id for row in reminders.rows()} == provider_ids
