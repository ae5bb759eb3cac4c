"""The nightly plan and the dispatcher on a controllable clock: send times inside each
patient's window in their own timezone across daylight-saving changes, idempotent
planning, no message to a patient who said stop, and the daily and weekly caps."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from pipelines.clients.messaging import OfflineSender
from pipelines.optout import OptOutRegistry
from pipelines.reminders.consent import set_consent, suppress_contact
from pipelines.reminders.planning import send_time
from pipelines.reminders.send_window import SendWindow
from tests.conftest import REDIS_URL
from tests.support.outreach import KEYS, SECRET, appointment, book, dispatch_at, plan_at, policy, reminders
from tests.support.processes import role_env, run_cli

RULES = policy()


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


@pytest.mark.parametrize(
    ("tz", "appointment_day", "expected_utc"),
    [
        # New York springs forward on Sunday 8 March 2026: 10:00 EDT is 14:00 UTC that day,
        # 10:00 EST the day before is 15:00 UTC.
        ("America/New_York", datetime(2026, 3, 9), datetime(2026, 3, 8, 14, 0, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 3, 8), datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),
        # Paris springs forward on 29 March, falls back on 25 October.
        ("Europe/Paris", datetime(2026, 3, 30), datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
        ("Europe/Paris", datetime(2026, 10, 26), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
        # Sydney falls back on 5 April; Kolkata keeps +05:30 all year.
        ("Australia/Sydney", datetime(2026, 4, 6), datetime(2026, 4, 5, 0, 0, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2026, 3, 9), datetime(2026, 3, 8, 4, 30, tzinfo=UTC)),
    ],
)
def test_a_reminder_goes_out_at_ten_local_the_day_before_across_dst(
    tz: str, appointment_day: datetime, expected_utc: datetime
) -> None:
    at = appointment_day.replace(hour=15, tzinfo=ZoneInfo(tz))
    planned = send_time("appointment", at, tz, datetime(2026, 1, 1, tzinfo=UTC), RULES)
    assert planned == expected_utc
    assert local(planned, tz).hour == 10


def test_the_window_moves_a_late_send_to_the_next_morning_and_keeps_a_margin() -> None:
    window = SendWindow("08:00", "21:00")
    tz = "America/Los_Angeles"
    evening = datetime(2026, 3, 7, 21, 30, tzinfo=ZoneInfo(tz))
    assert window.next_open(evening, tz) == datetime(2026, 3, 8, 8, 0, tzinfo=ZoneInfo(tz))
    last_minute = datetime(2026, 3, 7, 20, 59, tzinfo=ZoneInfo(tz))
    assert window.next_open(last_minute, tz, timedelta(minutes=2)).date().day == 8
    early = datetime(2026, 11, 1, 6, 0, tzinfo=ZoneInfo(tz))  # the fall-back morning
    assert local(window.next_open(early, tz), tz).hour == 8


def test_too_late_for_a_reminder_is_recorded_not_sent() -> None:
    tz = "Europe/Paris"
    appointment_at = datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo(tz))
    assert send_time("appointment", appointment_at, tz, appointment_at - timedelta(hours=1), RULES) is None


def test_planning_twice_or_from_two_planners_at_once_stores_each_reminder_once(
    sessions: sessionmaker[Session],
) -> None:
    now = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    rows = [appointment(n, datetime(2026, 3, 9, 9 + n % 8, 0)) for n in range(40)]
    rows += [appointment(100 + n, datetime(2026, 3, 7, 11, 0), channel="email") for n in range(10)]
    book(sessions, rows, RULES, now)
    if sessions.kw["bind"].dialect.name == "postgresql":
        planners = [threading.Thread(target=plan_at, args=(sessions, RULES, now)) for _ in range(2)]
        for planner in planners:
            planner.start()
        for planner in planners:
            planner.join()
    plan_at(sessions, RULES, now)
    again = plan_at(sessions, RULES, now)
    assert again.planned == 0
    planned = reminders(sessions)
    assert Counter(row.kind for row in planned) == {"appointment": 40, "survey_invite": 10}
    assert all(RULES.window.contains(row.send_at, row.timezone) for row in planned)


def test_opted_out_revoked_and_suppressed_contacts_are_dropped_at_planning_and_at_dispatch(
    sessions: sessionmaker[Session],
) -> None:
    now = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    rows = [appointment(n, datetime(2026, 3, 9, 10, 0)) for n in range(4)]
    book(sessions, rows, RULES, now)
    with session_scope(sessions) as session:
        OptOutRegistry(KEYS).record(session, rows[0].to, "STOP")
        set_consent(session, [rows[1].patient_ref], "revoked", "kiosk", "asked at the kiosk")
        suppress_contact(session, KEYS.hash("sms", rows[2].to), "sms", "twilio 30006")
    report = plan_at(sessions, RULES, now)
    assert (report.planned, report.suppressed) == (1, 3)
    by_patient = {row.patient_ref: row for row in reminders(sessions)}
    assert [by_patient[r.patient_ref].error for r in rows[:3]] == [
        "opted out",
        "consent revoked",
        "contact suppressed",
    ]
    # A revocation after planning is honoured when the dispatcher claims the message.
    with session_scope(sessions) as session:
        set_consent(session, [rows[3].patient_ref], "revoked", "sms", "free text")
    dispatch_at(sessions, OfflineSender(KEYS), RULES, datetime(2026, 3, 8, 9, 30, tzinfo=UTC))
    assert by_patient[rows[3].patient_ref].id in {row.id for row in reminders(sessions, status="suppressed")}
    assert reminders(sessions, status="sent") == []


def test_nothing_is_sent_outside_the_window_whatever_the_dispatcher_clock(
    sessions: sessionmaker[Session],
) -> None:
    now = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    zones = ["America/New_York", "America/Los_Angeles", "Europe/Paris", "Asia/Kolkata", "Australia/Sydney"]
    rows = [appointment(n, datetime(2026, 3, 9, 9, 0), tz=tz) for n, tz in enumerate(zones)]
    book(sessions, rows, RULES, now)
    plan_at(sessions, RULES, now)
    for step in range(0, 36 * 4):  # every 15 minutes for a day and a half
        dispatch_at(sessions, OfflineSender(KEYS), RULES, now + timedelta(minutes=15 * step))
    sent = reminders(sessions, status="sent")
    assert len(sent) == len(zones)
    assert all(8 <= local(row.sent_at, row.timezone).hour < 21 for row in sent)


def test_caps_hold_across_a_week_of_nightly_batches(sessions: sessionmaker[Session]) -> None:
    """One patient with an appointment every day and a survey after each: at most one
    message a local day and three in any seven days, the rest recorded as capped."""
    tz = "Europe/Paris"
    start = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    rows = [
        appointment(n, datetime(2026, 3, 3 + n, 14, 0), tz=tz, patient_ref="MRN-CAPPED", to="+33612349999")
        for n in range(9)
    ]
    book(sessions, rows, RULES, start)
    for night in range(10):
        batch = start + timedelta(days=night)
        plan_at(sessions, RULES, batch)
        for hour in range(24):
            dispatch_at(sessions, OfflineSender(KEYS), RULES, batch + timedelta(hours=hour))
    sent_days = sorted(local(row.sent_at, tz).date() for row in reminders(sessions, status="sent"))
    assert len(sent_days) == len(set(sent_days)), "two messages on one day"
    for first in sent_days:
        assert sum(first <= day < first + timedelta(days=7) for day in sent_days) <= 3
    assert len(sent_days) >= 3
    assert reminders(sessions, status="capped")


def test_a_moved_appointment_is_planned_again_at_its_new_time(sessions: sessionmaker[Session]) -> None:
    now = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    book(sessions, [appointment(1, datetime(2026, 3, 9, 9, 0))], RULES, now)
    plan_at(sessions, RULES, now)
    book(sessions, [appointment(1, datetime(2026, 3, 10, 9, 0))], RULES, now)
    book(sessions, [appointment(1, datetime(2026, 3, 10, 9, 0))], RULES, now)  # the same again: unchanged
    plan_at(sessions, RULES, now + timedelta(days=1))
    [row] = reminders(sessions, kind="appointment")
    assert local(row.send_at, "Europe/Paris").date().day == 9
    book(sessions, [appointment(1, datetime(2026, 3, 10, 9, 0), status="cancelled")], RULES, now)
    assert reminders(sessions, kind="appointment") == []


def test_operators_can_run_the_plan_now(database_url: str, sessions: sessionmaker[Session], tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = role_env(database_url, REDIS_URL, tmp_path, CAREPULSE_SECRET_KEY=SECRET)
    soon = datetime.now(UTC) + timedelta(hours=30)
    book(sessions, [appointment(1, soon)], RULES, datetime.now(UTC))
    assert run_cli(env, "reminders", "plan").startswith("planned 1, suppressed 0")
    assert run_cli(env, "reminders", "plan").startswith("planned 0, suppressed 0")
    [row] = reminders(sessions)
    assert row.status == "scheduled" and RULES.window.contains(row.send_at, row.timezone)
