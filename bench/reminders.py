"""Issue 7's first acceptance line: plan 100,000 reminders in at most 60 s, then dispatch
them through local fakes of Twilio and SendGrid with 0 duplicates, 0 sends outside the
08:00-21:00 window across 7 timezones (the US daylight-saving change day among them) and
0 sends to opted-out or revoked patients.

    .venv/bin/python bench/reminders.py --rows 100000

On a PostgreSQL schema of its own (or SQLite: `--database-url sqlite`), migrated, then
dropped. A simulated clock: appointments on the local day 2026-03-09 (their reminders go
out on 8 March, when New York and Los Angeles spring forward) and visits on 2026-03-07
(their survey invitations go out on 8 March too), imported with `import_appointments`,
after ~2 % of the SMS numbers replied STOP and ~1 % of the patients revoked consent; more of
both happen after planning, for the dispatcher's own check. One `plan` transaction, timed.
Staff post 5 % more single reminders, for any minute of 8 March (`schedule_reminder`), so
send times reach the window's edges. Then the dispatcher, on the real twilio and sendgrid
SDKs (built as workers/runtime.sender() builds them) pointed at in-process fakes and the
real Redis throttle, steps the clock through 8 and 9 March: on PostgreSQL 2 forked
processes of 2 dispatch loops each, claiming side by side (SKIP LOCKED), as worker
processes do; threads alone stay under one core (the GIL) at ~100 messages/s.
Everything is counted from what the fakes received, matched to the reminder rows.
Exits non-zero when planning takes more than 60 s or any of the zero counts is not zero.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import redis
import sendgrid
import twilio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/ is not installed: the fakes are shared from the checkout

from bench.stack import fresh_schema, machine  # noqa: E402
from models.contacts import Keyring  # noqa: E402
from models.db import make_engine, make_session_factory, session_scope  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.reminders import Reminder  # noqa: E402
from models.settings import Settings, load_settings  # noqa: E402
from pipelines.clients.messaging import ChannelSender, Sender  # noqa: E402
from pipelines.clients.sendgrid_email import SendGridEmailSender  # noqa: E402
from pipelines.clients.twilio_sms import TwilioSmsSender  # noqa: E402
from pipelines.optout import OptOutGuard, OptOutRegistry  # noqa: E402
from pipelines.reminders.booking import import_appointments, schedule_reminder  # noqa: E402
from pipelines.reminders.consent import set_consent  # noqa: E402
from pipelines.reminders.dispatch import DispatchReport, dispatch  # noqa: E402
from pipelines.reminders.planning import PlanReport, plan  # noqa: E402
from pipelines.reminders.policy import ReminderPolicy  # noqa: E402
from pipelines.reminders.requests import AppointmentRow, ReminderRequest  # noqa: E402
from pipelines.reminders.throttle import RedisThrottle  # noqa: E402
from tests.fakes.providers import FakeProviders, fake_providers  # noqa: E402

PLAN_LIMIT_SECONDS = 60.0
ZONES = (
    "America/New_York",  # springs forward on 2026-03-08
    "America/Los_Angeles",  # likewise
    "America/Sao_Paulo",  # no daylight saving since 2019
    "Europe/Paris",
    "Asia/Kolkata",  # +05:30
    "Australia/Sydney",  # summer time until April
    "Pacific/Auckland",  # +13:00, the first to reach each day
)
DST_ZONES = ("America/New_York", "America/Los_Angeles")
APPOINTMENT_DAY = datetime(2026, 3, 9)  # local day: the reminder goes out on 8 March
VISIT_DAY = datetime(2026, 3, 7)  # local day: the survey invitation goes out on 8 March
STAFF_DAY = datetime(2026, 3, 8)  # staff reminders: any minute of that local day
STAFF_SHARE = 0.05  # on top of the rows: their send times test the window's edges
# The nightly plan's horizon is 48 h each way (planning.HORIZON): with the brief's
# 2026-03-07T23:00Z, Los Angeles appointments after 16:00 on 9 March and visits after 15:00 on
# 7 March would fall outside it and wait for the next night's plan. At 05:00Z every row of
# 07:00-20:00 local in every zone is inside, and New York (00:00 EST) and Los Angeles
# (21:00 PST the day before) have not sprung forward yet.
PLAN_AT = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
DISPATCH_UNTIL = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # past 9 March's end in every zone
STEP = timedelta(minutes=5)
STEP_TIMEOUT = 3600.0  # seconds one step may take before the bench gives up on its dispatchers
WINDOW = (clock_time(8, 0), clock_time(21, 0))  # the acceptance line's, checked independently
LANGUAGES = ("en", "fr", "es")
SMS_SHARE = 0.6
OPTED_OUT_SHARE = 0.02  # of the SMS numbers, before planning
REVOKED_SHARE = 0.01  # of the patients, before planning
LATE_SHARE = 0.005  # more of both after planning, before dispatching
CHUNK = 50  # workers/outreach_tasks.CHUNK
SECRET = "bench-reminders-secret-0123456789"
T = TypeVar("T")
FINAL = frozenset({"sent", "delivered", "suppressed", "expired", "capped", "failed", "cancelled"})


@dataclass(frozen=True)
class Patient:
    ref: str
    channel: str
    to: str
    timezone: str


@dataclass
class Population:
    rows: list[AppointmentRow]
    requests: list[ReminderRequest]  # single reminders posted by staff
    patients: dict[str, Patient]  # by patient_ref
    opted_out: set[str] = field(default_factory=set)  # phone numbers that replied STOP
    revoked: set[str] = field(default_factory=set)  # patient refs

    def refused(self, patient: Patient) -> bool:
        return patient.ref in self.revoked or (patient.channel == "sms" and patient.to in self.opted_out)


class SimClock:
    """The dispatchers' clock, shared by every dispatcher process: the main process moves
    it between steps, never during one."""

    def __init__(self, start: datetime) -> None:
        self._seconds = multiprocessing.get_context("fork").RawValue("d", start.timestamp())

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(self._seconds.value, UTC)

    def set(self, moment: datetime | None) -> None:
        """None tells the dispatcher processes to stop."""
        self._seconds.value = -1.0 if moment is None else moment.timestamp()

    @property
    def stopped(self) -> bool:
        return self._seconds.value < 0


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A migrated, empty database: a new schema of `url` (PostgreSQL) or a new SQLite file
    (`sqlite` alone: in a temporary directory), dropped afterwards."""
    if url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="carepulse-bench-reminders-") as tmp:
            path = Path(url.split(":///", 1)[1]) if ":///" in url else Path(tmp) / "bench.db"
            if path.exists():
                raise SystemExit(f"{path} exists: the bench needs a database of its own")
            try:
                upgrade(f"sqlite:///{path}")
                yield f"sqlite:///{path}"
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with fresh_schema(url) as schema_url:
        yield schema_url


def bench_settings(
    database_url: str, redis_url: str, providers: FakeProviders, sms_rate: int, email_rate: int
) -> Settings:
    """The settings a worker would load, pointing the providers at the fakes."""
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CAREPULSE_SECRET_KEY": SECRET,
            "CAREPULSE_VAR_DIR": tempfile.gettempdir(),
            "PUBLIC_BASE_URL": "https://feedback.hospital.example",
            "SURVEY_URL": "https://s.hospital.example/v",
            "PROVIDER_NAME": "St Mary's Hospital",
            "REMINDER_SMS_PER_SECOND": str(sms_rate),
            "REMINDER_EMAIL_PER_SECOND": str(email_rate),
            **providers.env(),
        }
    )


def build_sender(s: Settings) -> Sender:
    """What workers/runtime.sender() builds from the same settings: the twilio and sendgrid
    SDK clients behind the opt-out guard."""
    sms = TwilioSmsSender(
        s.twilio_account_sid or "",
        s.twilio_auth_token or "",
        s.twilio_api_base_url,
        from_number=s.twilio_from,
        messaging_service_sid=s.twilio_messaging_service_sid,
        timeout=s.provider_timeout_seconds,
    )
    email = SendGridEmailSender(
        s.sendgrid_api_key or "", s.sendgrid_from, s.sendgrid_api_base_url, s.provider_timeout_seconds
    )
    return OptOutGuard(ChannelSender(sms, email), OptOutRegistry(Keyring.from_settings(s)))


def build_throttle(s: Settings, run: str) -> RedisThrottle:
    """workers/runtime.outreach_throttle(), with sending identities of this run alone, so
    its moving windows start empty and can be deleted afterwards without touching others'."""
    return RedisThrottle(
        s.redis_url,
        {"sms": s.reminder_sms_per_second, "email": s.reminder_email_per_second},
        {"sms": f"{run}:{s.twilio_from}", "email": f"{run}:email:{s.sendgrid_from}"},
    )


def chunk(s: Settings) -> int:
    """workers/outreach_tasks._chunk(): about ten seconds of sending at the SMS rate."""
    return max(1, min(CHUNK, 10 * s.reminder_sms_per_second))


def lease(s: Settings) -> timedelta:
    """workers/runtime.delivery_lease(), which the dispatch task passes: one provider call."""
    return timedelta(seconds=2 * s.provider_timeout_seconds + 5)


def population(count: int, staff: int, seed: int) -> Population:
    """Half appointments on 9 March, half visits on 7 March, and `staff` single reminders
    asked for at any minute of 8 March local time (in the window or not, in the skipped
    hour of New York and Los Angeles too). Each patient has an address of their own, so a
    message at the fake names exactly one reminder."""
    rng = random.Random(seed)
    people = Population([], [], {})
    for n in range(count + staff):
        tz = ZONES[n % len(ZONES)]
        channel = "sms" if rng.random() < SMS_SHARE else "email"
        to = f"+1202{n:07d}" if channel == "sms" else f"patient{n}@mail.example"
        patient = Patient(f"MRN{n:07d}", channel, to, tz)
        people.patients[patient.ref] = patient
        fields = {"patient_ref": patient.ref, "channel": channel, "to": to, "timezone": tz}
        fields["language"] = rng.choice(LANGUAGES)
        if n >= count:  # wall clock of `tz`, as the HTTP API takes it
            at = STAFF_DAY + timedelta(minutes=rng.randrange(24 * 60))
            people.requests.append(ReminderRequest(kind="survey_invite", send_at=at, **fields))
            continue
        day = APPOINTMENT_DAY if rng.random() < 0.5 else VISIT_DAY
        at = day + timedelta(minutes=rng.randrange(7 * 60, 20 * 60 + 1, 5))
        people.rows.append(AppointmentRow(external_id=f"bench-{n}", appointment_at=at, **fields))
    return people


def post_staff_reminders(sessions: sessionmaker[Session], people: Population, policy: ReminderPolicy) -> None:
    with session_scope(sessions) as session:
        for request in people.requests:
            schedule_reminder(session, request, policy, PLAN_AT, "bench-staff")


def refuse(
    sessions: sessionmaker[Session],
    people: Population,
    registry: OptOutRegistry,
    rng: random.Random,
    opt_out_share: float,
    revoke_share: float,
) -> tuple[int, int]:
    """STOP from some SMS numbers and consent revoked by some patients, as those arrive."""
    phones = sorted(
        p.to for p in people.patients.values() if p.channel == "sms" and p.to not in people.opted_out
    )
    refs = sorted(ref for ref in people.patients if ref not in people.revoked)
    stops = rng.sample(phones, round(len(phones) * opt_out_share))
    revokes = rng.sample(refs, round(len(refs) * revoke_share))
    with session_scope(sessions) as session:
        for phone in stops:
            registry.record(session, phone, "STOP")
        set_consent(session, revokes, "revoked", "staff", "bench")
    people.opted_out.update(stops)
    people.revoked.update(revokes)
    return len(stops), len(revokes)


@dataclass
class Dispatchers:
    """What the dispatcher processes share with the main one: the clock, the barriers of
    each step, and the summed DispatchReport (claimed, sent, retry, failed)."""

    clock: SimClock
    processes: int
    threads: int
    start: Barrier = field(init=False)
    done: Barrier = field(init=False)
    totals: Any = field(init=False)

    def __post_init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.start = context.Barrier(self.processes + 1)
        self.done = context.Barrier(self.processes + 1)
        self.totals = context.Array("q", 4)

    def report(self) -> DispatchReport:
        with self.totals.get_lock():
            return DispatchReport(*self.totals[:])


def dispatcher_process(shared: Dispatchers, url: str, s: Settings, run: str) -> None:
    """One worker process as production runs them: its own engine, and per thread its own
    sender, each thread a dispatch loop of its own; all of them wait for the next step."""
    sessions = make_session_factory(make_engine(url))
    policy, throttle = ReminderPolicy.from_settings(s), build_throttle(s, run)
    senders = [build_sender(s) for _ in range(shared.threads)]

    def one(sender: Sender) -> DispatchReport:
        return dispatch(
            sessions,
            sender,
            policy,
            throttle,
            chunk=chunk(s),
            lease=lease(s),
            budget=timedelta(hours=1),  # the simulated clock stands still during a step
            clock=shared.clock,
        )

    with ThreadPoolExecutor(max_workers=shared.threads) as pool:
        while True:
            shared.start.wait()
            if shared.clock.stopped:
                return
            try:
                reports = [future.result() for future in [pool.submit(one, sender) for sender in senders]]
            except BaseException:
                shared.done.abort()  # the main process stops at once instead of waiting
                raise
            with shared.totals.get_lock():
                for index, name in enumerate(("claimed", "sent", "retry", "failed")):
                    shared.totals[index] += sum(getattr(report, name) for report in reports)
            shared.done.wait()


def run_dispatchers(
    url: str, s: Settings, run: str, processes: int, threads: int
) -> tuple[DispatchReport, float, float, float]:
    """Step the clock through 8 and 9 March; at each step every dispatcher runs until
    nothing is due. The summed report, the wall seconds of all steps and of those that
    sent something, and the dispatcher processes' CPU seconds."""
    shared = Dispatchers(SimClock(PLAN_AT), processes, threads)
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=dispatcher_process, args=(shared, url, s, run), name=f"dispatcher-{n}")
        for n in range(processes)
    ]
    cpu_before = os.times()
    for worker in workers:
        worker.start()
    busy, sending, moment = 0.0, 0.0, PLAN_AT
    hour: list[float] = [0, 0.0]  # sent, wall seconds within the current simulated hour
    try:
        while moment <= DISPATCH_UNTIL:
            before, started = shared.report().sent, time.perf_counter()
            shared.clock.set(moment)
            shared.start.wait(STEP_TIMEOUT)
            shared.done.wait(STEP_TIMEOUT)
            seconds = time.perf_counter() - started
            busy += seconds
            if (sent := shared.report().sent - before) > 0:
                sending += seconds
                hour = [hour[0] + sent, hour[1] + seconds]
            moment += STEP
            if moment.minute == 0 and hour[0]:
                print(
                    f"  {moment - timedelta(hours=1):%m-%d %H}:00Z-{moment:%H}:00Z: {hour[0]:.0f} sent in "
                    f"{hour[1]:.1f} s ({hour[0] / hour[1]:.0f}/s), {shared.report().sent} so far",
                    flush=True,
                )
                hour = [0, 0.0]
        shared.clock.set(None)
        shared.start.wait(STEP_TIMEOUT)
    except threading.BrokenBarrierError:
        raise SystemExit("a dispatcher process failed (its traceback is above)") from None
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
    cpu_after = os.times()
    cpu = (cpu_after.children_user + cpu_after.children_system) - (
        cpu_before.children_user + cpu_before.children_system
    )
    return shared.report(), busy, sending, cpu


@dataclass
class Received:
    """What the fakes received, matched to reminder rows."""

    messages: int = 0
    by_reminder: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unmatched: int = 0


def received(providers: FakeProviders, people: Population, rows: list[Reminder]) -> Received:
    """Each SMS by its number and body (one patient per number, one reminder per patient
    and kind); each email by the `carepulse_key` custom argument the sender adds."""
    by_sms = {(people.patients[r.patient_ref].to, r.body): r.id for r in rows if r.channel == "sms"}
    ids = {r.id for r in rows}
    found = Received()
    for message in list(providers.twilio.messages):
        found.messages += 1
        reminder_id = by_sms.get((message.to, message.body))
        if reminder_id is None:
            found.unmatched += 1
        else:
            found.by_reminder[reminder_id] += 1
    for mail in list(providers.sendgrid.mails):
        found.messages += 1
        key = mail.custom_args.get("carepulse_key", "")
        reminder_id = key.removeprefix("reminder:")
        if key.startswith("reminder:") and reminder_id in ids:
            found.by_reminder[reminder_id] += 1
        else:
            found.unmatched += 1
    return found


def inside_window(moment: datetime, tz: str) -> bool:
    local = moment.astimezone(ZoneInfo(tz)).time()
    return WINDOW[0] <= local < WINDOW[1]


def report(
    people: Population,
    rows: list[Reminder],
    found: Received,
    figures: dict[str, str],
    late: tuple[int, int],
) -> bool:
    """Print the table; True when every zero count is zero."""
    by_id = {r.id: r for r in rows}
    duplicates = sum(count - 1 for count in found.by_reminder.values() if count > 1)
    sent_rows = [by_id[rid] for rid in found.by_reminder]
    unrecorded = sum(r.sent_at is None for r in sent_rows)  # reached the fake, not recorded sent
    outside = sum(r.sent_at is not None and not inside_window(r.sent_at, r.timezone) for r in sent_rows)
    refused = sum(people.refused(people.patients[r.patient_ref]) for r in sent_rows)
    lost = sum(r.status not in FINAL for r in rows)
    expected = [r for r in rows if not people.refused(people.patients[r.patient_ref])]
    missing = sum(r.id not in found.by_reminder for r in expected)
    statuses = Counter(r.status for r in rows)
    zero_counts = {
        "duplicates": duplicates,
        "sent outside 08:00-21:00 local": outside,
        "sent to opted-out or revoked patients": refused,
        "lost (not in a final state)": lost,
        "missing (allowed, never reached a fake)": missing,
        "reached a fake, not recorded as sent": unrecorded,
        "at a fake, matching no reminder": found.unmatched,
    }
    table = [
        *figures.items(),
        ("reminder statuses", ", ".join(f"{name} {count}" for name, count in statuses.most_common())),
        ("dispatched (received by the fakes)", f"{found.messages}"),
        ("opted out / revoked after planning", f"{late[0]} / {late[1]}"),
        *((name, str(count)) for name, count in zero_counts.items()),
    ]
    width = max(len(name) for name, _ in table)
    print()
    for name, value in table:
        print(f"{name:<{width}}  {value}")
    print()
    print_zones(people, rows, found)
    plan_ok = float(figures["plan seconds (one transaction)"]) <= PLAN_LIMIT_SECONDS
    passed = plan_ok and not any(zero_counts.values())
    failing = [name for name, count in zero_counts.items() if count]
    print(
        f"verdict: plan {figures['plan seconds (one transaction)']} s "
        f"{'<=' if plan_ok else '>'} {PLAN_LIMIT_SECONDS:g} s; "
        f"{'all zero counts are 0' if not failing else 'not zero: ' + ', '.join(failing)}: "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return passed


def print_zones(people: Population, rows: list[Reminder], found: Received) -> None:
    """Per timezone: what was planned and sent, and the local clock and UTC offsets of the
    sends (the spring-forward zones send on -04:00/-07:00, after their change)."""
    zones: dict[str, dict[str, int]] = {tz: Counter() for tz in ZONES}
    clocks: dict[str, list[datetime]] = defaultdict(list)
    for r in rows:
        zone = zones[r.timezone]
        zone["reminders"] += 1
        zone[r.status] += 1
        if r.id in found.by_reminder:
            zone["received"] += found.by_reminder[r.id]
            if r.sent_at is not None:
                clocks[r.timezone].append(r.sent_at.astimezone(ZoneInfo(r.timezone)))
    print(
        f"{'timezone':<20} {'reminders':>9} {'sent':>6} {'received':>8} {'suppr.':>6} {'other':>5}  "
        "local send clock: earliest-latest, sends per local day, UTC offsets"
    )
    for tz, zone in zones.items():
        local = clocks[tz]
        if local:
            times = sorted(moment.time() for moment in local)
            days = Counter(f"{moment:%m-%d}" for moment in local)
            offsets = sorted({moment.strftime("%z") for moment in local})
            span = (
                f"{times[0]:%H:%M}-{times[-1]:%H:%M}, "
                f"{' '.join(f'{day}: {count}' for day, count in sorted(days.items()))}, UTC{'/'.join(offsets)}"
            )
        else:
            span = "-"
        other = zone["reminders"] - zone["sent"] - zone["suppressed"]
        dst = " [changes on 03-08]" if tz in DST_ZONES else ""
        print(
            f"{tz:<20} {zone['reminders']:>9} {zone['sent']:>6} {zone['received']:>8} "
            f"{zone['suppressed']:>6} {other:>5}  {span}{dst}"
        )


def timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="appointments (one reminder each)")
    parser.add_argument(
        "--database-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="PostgreSQL base URL (a schema is created in it), or sqlite[:///new-file.db]",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="for the throttle")
    parser.add_argument("--processes", type=int, help="dispatcher processes (default 2; SQLite: 1)")
    parser.add_argument("--threads", type=int, help="dispatch loops per process (default 2; SQLite: 1)")
    parser.add_argument("--sms-per-second", type=int, default=5000, help="the throttle's SMS rate")
    parser.add_argument("--email-per-second", type=int, default=5000, help="the throttle's email rate")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sqlite = args.database_url.startswith("sqlite")
    processes = args.processes or (1 if sqlite else 2)
    threads = args.threads or (1 if sqlite else 2)
    if sqlite and processes * threads > 1:
        raise SystemExit("SQLite takes one dispatcher: several would only queue on its write lock")
    print(f"machine: {machine()}")
    run = f"bench-reminders-{uuid.uuid4().hex[:8]}"
    rng = random.Random(args.seed)
    with fresh_database(args.database_url) as url, fake_providers() as providers:
        s = bench_settings(url, args.redis_url, providers, args.sms_per_second, args.email_per_second)
        policy = ReminderPolicy.from_settings(s)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        try:
            print(
                f"setup: {engine.dialect.name}; {processes} dispatcher process(es) x {threads} thread(s), "
                f"chunk {chunk(s)}, lease {lease(s).total_seconds():g} s; real twilio {twilio.__version__} and "
                f"sendgrid {sendgrid.__version__} SDKs against in-process fakes; RedisThrottle on "
                f"{args.redis_url} at {s.reminder_sms_per_second} SMS/s and {s.reminder_email_per_second} "
                f"email/s (production defaults 1 and 10: at those, {args.rows:,} messages would take "
                f"hours by design); window {'-'.join(s.reminder_window)}, send time "
                f"{s.reminder_send_time}; plan at {PLAN_AT:%Y-%m-%dT%H:%MZ}, clock stepped by "
                f"{STEP.seconds // 60} min to {DISPATCH_UNTIL:%Y-%m-%dT%H:%MZ}",
                flush=True,
            )
            staff = round(args.rows * STAFF_SHARE)
            people, build_seconds = timed(lambda: population(args.rows, staff, args.seed))
            registry = OptOutRegistry(policy.keys)
            early = refuse(sessions, people, registry, rng, OPTED_OUT_SHARE, REVOKED_SHARE)

            def book() -> None:
                with session_scope(sessions) as session:
                    import_appointments(session, people.rows, policy, PLAN_AT)

            _, import_seconds = timed(book)
            print(f"imported {args.rows} appointments in {import_seconds:.1f} s", flush=True)

            def plan_all() -> PlanReport:
                with session_scope(sessions) as session:
                    return plan(session, PLAN_AT, policy)

            planned, plan_seconds = timed(plan_all)
            print(f"planned in {plan_seconds:.1f} s: {planned}", flush=True)
            _, staff_seconds = timed(lambda: post_staff_reminders(sessions, people, policy))
            late = refuse(sessions, people, registry, rng, LATE_SHARE, LATE_SHARE)
            engine.dispose()  # the dispatcher processes are forked: they must not share its connections
            print("dispatching (simulated time: sent in wall time):", flush=True)
            dispatched, dispatch_seconds, sending_seconds, dispatch_cpu = run_dispatchers(
                url, s, run, processes, threads
            )
            with sessions() as session:
                rows = list(session.scalars(select(Reminder)))
            found = received(providers, people, rows)
            rate = dispatched.sent / max(dispatch_seconds, 1e-9)
            figures = {
                "rows (appointments and visits)": f"{args.rows}",
                "build AppointmentRows seconds": f"{build_seconds:.1f}",
                "staff reminders (schedule_reminder)": f"{staff} in {staff_seconds:.1f} s",
                "import seconds (import_appointments)": f"{import_seconds:.1f}",
                "opted out / revoked before planning": f"{early[0]} / {early[1]}",
                "reminders stored (planned + staff)": f"{len(rows)}",
                "  plan: scheduled / suppressed / too late": (
                    f"{planned.planned} / {planned.suppressed} / {planned.expired}"
                ),
                "plan seconds (one transaction)": f"{plan_seconds:.1f}",
                "dispatch": (
                    f"{dispatched.sent} sent, {dispatched.retry} retried, {dispatched.failed} failed in "
                    f"{dispatch_seconds:.1f} s wall: {rate:.0f} messages/s"
                ),
                "  in the steps that sent": (
                    f"{sending_seconds:.1f} s: {dispatched.sent / max(sending_seconds, 1e-9):.0f} messages/s "
                    f"(the other steps: nothing due, one claim query per dispatcher)"
                ),
                "  dispatcher CPU": (
                    f"{dispatch_cpu:.1f} s ({dispatch_cpu / max(dispatched.sent, 1) * 1000:.1f} ms per message; "
                    f"the fakes' CPU is this process's, not counted)"
                ),
            }
            passed = report(people, rows, found, figures, late)
        finally:
            engine.dispose()
            client = redis.Redis.from_url(args.redis_url)
            for key in client.scan_iter(f"*{run}*"):
                client.delete(key)
            client.close()
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
