"""A batch of pages is claimed at once; while providers are slow its claims are renewed
before they could lapse, and a page another worker took over meanwhile is left to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Alert, SentMessage
from pipelines.alert_delivery import PageLease, deliver_alerts
from pipelines.alerts import route_feedback
from pipelines.clients.messaging import OfflineSender
from tests.support.alerting import KEYS, LEASE, policy, roster, scored_item

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
POLICY = policy()


def routed_pages(sessions: sessionmaker[Session], items: int) -> list[int]:
    """`items` critical items, each paging the fallback SMS and email contacts."""
    ids = [scored_item(sessions, "critical", received_at=T0) for _ in range(items)]
    with session_scope(sessions) as session:
        return route_feedback(session, ids, roster(), POLICY, T0)


def claims(sessions: sessionmaker[Session]) -> list[tuple[int, str, int, datetime | None]]:
    with sessions() as session:
        alerts = session.scalars(select(Alert).order_by(Alert.id))
        return [(a.id, a.status, a.attempts, a.claimed_at) for a in alerts]


def sent_keys(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(select(SentMessage.dedupe_key)))


class ScriptedClock:
    """Reads `times[n]` at its n-th call (the last of them thereafter); `before(n)` runs first."""

    def __init__(self, times: list[datetime], before: Callable[[int], None] = lambda n: None) -> None:
        self.times, self.before, self.calls = times, before, 0

    def __call__(self) -> datetime:
        self.before(self.calls)
        now = self.times[min(self.calls, len(self.times) - 1)]
        self.calls += 1
        return now


def test_a_quick_batch_is_claimed_and_sent_under_one_claim(sessions: sessionmaker[Session]) -> None:
    alert_ids = routed_pages(sessions, 3)
    report = deliver_alerts(sessions, alert_ids, OfflineSender(KEYS), POLICY, LEASE, clock=lambda: T0)
    assert sorted(report.sent) == sorted(alert_ids) and not report.unfinished
    assert [(status, attempts, at) for _, status, attempts, at in claims(sessions)] == [("sent", 1, T0)] * 6
    assert sent_keys(sessions) == sorted(f"alert-{i}" for i in alert_ids)


def test_slow_sends_renew_the_claims_before_they_could_lapse(sessions: sessionmaker[Session]) -> None:
    alert_ids = routed_pages(sessions, 2)  # four pages
    step = timedelta(seconds=6)  # every clock reading 6 s after the last
    clock = ScriptedClock([T0 + step * n for n in range(40)])
    report = deliver_alerts(sessions, alert_ids, OfflineSender(KEYS), POLICY, LEASE, clock=clock)
    assert sorted(report.sent) == sorted(alert_ids)
    assert sent_keys(sessions) == sorted(f"alert-{i}" for i in alert_ids)
    with sessions() as session:
        for alert in session.scalars(select(Alert)):
            started = alert.sent_at - step  # the reading before the send: when it began
            assert started + LEASE.longest_send < alert.claimed_at + LEASE.length, (
                "a claim could lapse mid-send"
            )
    renewed = {at for _, _, _, at in claims(sessions)}
    assert len(renewed) > 1, "the later pages were sent under a renewed claim"
    assert {attempts for _, _, attempts, _ in claims(sessions)} == {1}


def test_a_page_taken_over_while_the_worker_stalled_is_left_to_the_other(
    sessions: sessionmaker[Session],
) -> None:
    alert_ids = sorted(routed_pages(sessions, 2))
    stalled_until = T0 + LEASE.length + timedelta(seconds=15)
    taken = alert_ids[-1]

    def take_over(n: int) -> None:
        if n == 3:  # the reading after the first page: the worker froze past its lease meanwhile
            with session_scope(sessions) as session:
                other_claim = {"claimed_at": stalled_until - timedelta(seconds=1), "attempts": 2}
                session.execute(update(Alert).where(Alert.id == taken).values(**other_claim))

    clock = ScriptedClock([T0, T0, T0, stalled_until], take_over)
    report = deliver_alerts(sessions, alert_ids, OfflineSender(KEYS), POLICY, LEASE, clock=clock)
    assert report.in_flight == [taken]
    assert sorted(report.sent) == alert_ids[:-1]
    assert sent_keys(sessions) == sorted(f"alert-{i}" for i in alert_ids[:-1])
    status = {alert_id: (state, attempts) for alert_id, state, attempts, _ in claims(sessions)}
    assert status[taken] == ("sending", 2), "the other worker's claim stands"


def test_a_lease_shorter_than_a_send_is_refused() -> None:
    with pytest.raises(ValueError, match="outlast"):
        PageLease(timedelta(seconds=10), longest_send=timedelta(seconds=10))
