"""Weekly windows in local time (across midnight and daylight-saving changes), and the
silence check that raises one ops alert per quiet kiosk or channel in opening hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.keys import create_key
from models.oncall import SilenceAlert
from models.tables import ApiKey, Feedback, SentMessage
from pipelines.clients.messaging import OfflineSender
from pipelines.silence import SilencePolicy, deliver_silence, find_silences
from pipelines.windows import in_window, window_start
from tests.support.alerting import KEYS

PARIS = "Europe/Paris"


def test_windows_follow_local_wall_clock_across_daylight_saving() -> None:
    # 08:00 in Paris is 07:00 UTC in winter and 06:00 UTC in summer (DST began 2026-03-29).
    assert window_start(datetime(2026, 3, 28, 9, tzinfo=UTC), "08:00", "20:00", PARIS) == datetime(
        2026, 3, 28, 7, tzinfo=UTC
    )
    assert window_start(datetime(2026, 3, 30, 9, tzinfo=UTC), "08:00", "20:00", PARIS) == datetime(
        2026, 3, 30, 6, tzinfo=UTC
    )
    assert not in_window(datetime(2026, 3, 30, 18, 30, tzinfo=UTC), "08:00", "20:00", PARIS)


def test_a_night_window_belongs_to_the_day_it_starts() -> None:
    tuesday_night = datetime(2026, 12, 1, 23, tzinfo=UTC)
    wednesday_early = datetime(2026, 12, 2, 5, tzinfo=UTC)
    assert in_window(tuesday_night, "22:00", "06:00", "UTC", "2")
    assert in_window(wednesday_early, "22:00", "06:00", "UTC", "2")
    assert not in_window(wednesday_early, "22:00", "06:00", "UTC", "3")
    assert in_window(tuesday_night, "00:00", "24:00", "UTC")


POLICY = SilencePolicy(minutes=120, opens="08:00", closes="20:00", timezone="UTC", ops_email="ops@h.example")
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)


def kiosk_with_last_item(sessions: sessionmaker[Session], name: str, last: datetime | None) -> None:
    with session_scope(sessions) as session:
        create_key(session, name, "kiosk")
        session.flush()
        key = session.scalar(select(ApiKey).where(ApiKey.name == name))
        key.created_at = MONDAY - timedelta(days=7)
        if last is not None:
            session.add(Feedback(channel="kiosk", rating=4, api_key_id=key.id, received_at=last))


def check(sessions: sessionmaker[Session], at: datetime) -> list[int]:
    with session_scope(sessions) as session:
        ids = find_silences(session, POLICY, at)
    for alert_id in ids:
        with session_scope(sessions) as session:
            deliver_silence(session, alert_id, OfflineSender(KEYS), POLICY)
    return ids


def test_a_quiet_kiosk_raises_one_ops_alert_per_opening_window(sessions: sessionmaker[Session]) -> None:
    kiosk_with_last_item(sessions, "lobby-1", MONDAY.replace(hour=9))
    kiosk_with_last_item(sessions, "ed-2", MONDAY.replace(hour=10, minute=30))
    assert check(sessions, MONDAY.replace(hour=10, minute=59)) == []
    assert len(check(sessions, MONDAY.replace(hour=11, minute=1))) == 1  # lobby-1: two hours quiet
    assert check(sessions, MONDAY.replace(hour=11, minute=30)) == []  # once per window
    assert check(sessions, MONDAY.replace(hour=23)) == []  # closed: nights never count
    assert check(sessions, MONDAY.replace(hour=9) + timedelta(days=1)) == []  # only one hour open yet
    tuesday = check(sessions, MONDAY.replace(hour=10, minute=30) + timedelta(days=1))
    assert len(tuesday) == 2  # both silent since Tuesday's opening
    with sessions() as session:
        alerts = session.scalars(select(SilenceAlert).order_by(SilenceAlert.id)).all()
        mails = session.scalars(select(SentMessage)).all()
    tuesday_opening = MONDAY.replace(hour=8) + timedelta(days=1)
    assert sorted((a.source, a.silent_since, a.status) for a in alerts) == [
        ("kiosk ed-2", tuesday_opening, "sent"),
        ("kiosk lobby-1", MONDAY.replace(hour=9), "sent"),
        ("kiosk lobby-1", tuesday_opening, "sent"),
    ]
    assert len(mails) == 3 and {m.recipient_hash for m in mails} == {KEYS.hash("email", "ops@h.example")}
    assert all("silent since" in (m.subject or "") for m in mails)


def test_channels_are_watched_once_they_have_been_used(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        session.add(Feedback(channel="sms", text="x", received_at=MONDAY.replace(hour=8, minute=5)))
    ids = check(sessions, MONDAY.replace(hour=10, minute=30))
    with sessions() as session:
        sources = session.scalars(select(SilenceAlert.source).where(SilenceAlert.id.in_(ids))).all()
    assert sources == ["channel sms"]  # voice was never used: nothing expected from it


def test_a_kiosk_with_its_own_hours_is_watched_only_then(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        create_key(session, "outpatients", "kiosk", opening_hours="13:00-17:00")
        session.flush()
        session.scalar(select(ApiKey).where(ApiKey.name == "outpatients")).created_at = MONDAY
    assert check(sessions, MONDAY.replace(hour=12)) == []  # the hospital is open, the clinic is not
    assert check(sessions, MONDAY.replace(hour=14, minute=59)) == []
    (alert_id,) = check(sessions, MONDAY.replace(hour=15))
    with sessions() as session:
        alert = session.get(SilenceAlert, alert_id)
    assert (alert.source, alert.silent_since) == ("kiosk outpatients", MONDAY.replace(hour=13))
