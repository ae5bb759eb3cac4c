"""Dead letters on both databases: one row per task id, whatever redeliveries; a replay
reopens what the stages would skip (failed items, given-up pages) and the real stages
then finish the work; a page that did go out, or was sent, is never sent again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.dead_letters import DeadLetter
from models.oncall import Escalation
from models.tables import Alert, Feedback, utcnow
from pipelines.alert_delivery import deliver_alerts, give_up
from pipelines.alerts import alert_message, route_feedback
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.stage import analyze_feedback
from pipelines.dead_letters import (
    GaveUp,
    item_ids,
    mark_replayed,
    open_dead_letters,
    record_dead_letter,
    reopen,
)
from pipelines.failures import mark_failed, mark_poisoned
from pipelines.urgency.stage import score_feedback
from tests.fakes.providers import FakeProviders, fake_providers
from tests.support.alerting import LEASE, policy, providers, roster, scored_item

POLICY = policy()
ROSTER = roster(sms_to="+15550100", email_to="nurse@h.example")


def gave_up(task_id: str, task_name: str = "feedback.score", args: list | None = None) -> GaveUp:
    return GaveUp(
        task_id, task_name, [["f-1", "f-2"]] if args is None else args, {}, "OperationalError", 8, 6
    )


def letter(
    sessions: sessionmaker[Session], task_id: str, task_name: str, feedback_ids: list[str]
) -> DeadLetter:
    with session_scope(sessions) as session:
        record_dead_letter(session, gave_up(task_id, task_name, [feedback_ids]), utcnow())
    with sessions() as session:
        return session.scalars(select(DeadLetter).where(DeadLetter.task_id == task_id)).one()


def test_a_redelivered_failure_is_recorded_once(sessions: sessionmaker[Session]) -> None:
    for task_id in ("t-1", "t-1", "t-2"):
        with session_scope(sessions) as session:
            record_dead_letter(session, gave_up(task_id), utcnow())
    with session_scope(sessions) as session:
        record_dead_letter(session, gave_up("t-3", "reminders.plan", []), utcnow())

    with sessions() as session:
        letters = open_dead_letters(session)
        assert [row.task_id for row in letters] == ["t-1", "t-2", "t-3"]
        first = letters[0]
        assert (first.task_name, first.args, first.error, first.retries, first.priority) == (
            "feedback.score",
            [["f-1", "f-2"]],
            "OperationalError",
            8,
            6,
        )
        assert [item_ids(row) for row in letters] == [["f-1", "f-2"], ["f-1", "f-2"], []]
        assert [row.task_id for row in open_dead_letters(session, "reminders.plan")] == ["t-3"]
    for _ in range(2):
        with session_scope(sessions) as session:
            mark_replayed(session, first.id, utcnow())
    with sessions() as session:
        assert [row.task_id for row in open_dead_letters(session)] == ["t-2", "t-3"]
        replayed = session.get(DeadLetter, first.id)
        assert replayed.replays == 2 and replayed.replayed_at is not None


def test_a_replayed_stage_brings_its_failed_item_to_analyzed(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        failed, done = (
            Feedback(channel="kiosk", text="the food was cold"),
            Feedback(channel="kiosk", text="ok"),
        )
        session.add_all([failed, done])
        session.flush()
        ids = [failed.id, done.id]
        analyze_feedback(session, ids, LocalAnalyzer())
        score_feedback(session, [done.id])
        mark_failed(session, [failed.id], "feedback.score: OperationalError")  # its task gave up
    dead = letter(sessions, "t-score", "feedback.score", ids)

    with session_scope(sessions) as session:
        reopen(session, dead)
    with sessions() as session:
        assert {
            item.id: (item.status, item.failure_reason) for item in session.scalars(select(Feedback))
        } == {
            failed.id: ("received", None),
            done.id: ("analyzed", None),
        }
    with session_scope(sessions) as session:
        assert sorted(score_feedback(session, ids)) == sorted(ids)  # what the replayed task runs
    with sessions() as session:
        assert {item.status for item in session.scalars(select(Feedback))} == {"analyzed"}


def test_a_replayed_route_clears_the_reason_of_an_item_it_could_not_take(
    sessions: sessionmaker[Session],
) -> None:
    feedback_id = scored_item(sessions)
    with session_scope(sessions) as session:
        session.get(Feedback, feedback_id).status = "analyzed"
    with session_scope(sessions) as session:
        mark_poisoned(session, feedback_id, "feedback.route: DataError")
    with sessions() as session:
        item = session.get(Feedback, feedback_id)
        assert (item.status, item.failure_reason) == ("analyzed", "feedback.route: DataError")

    with session_scope(sessions) as session:
        reopen(session, letter(sessions, "t-poisoned", "feedback.route", [feedback_id]))
    with sessions() as session:
        item = session.get(Feedback, feedback_id)
        assert (item.status, item.failure_reason) == ("analyzed", None)


@pytest.fixture
def fakes() -> Iterator[FakeProviders]:
    with fake_providers() as both:
        yield both


def pages(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return {alert.channel: alert.status for alert in session.scalars(select(Alert))}


def given_up_route(sessions: sessionmaker[Session], fakes: FakeProviders) -> tuple[str, list[int]]:
    """A critical item whose email page went out and whose SMS page Twilio kept refusing
    until the route task gave up."""
    feedback_id = scored_item(sessions)
    with session_scope(sessions) as session:
        alert_ids = route_feedback(session, [feedback_id], ROSTER, POLICY, utcnow())
    fakes.twilio.fail_next(503)
    deliver_alerts(sessions, alert_ids, providers(fakes.twilio, fakes.sendgrid), POLICY, LEASE)
    with session_scope(sessions) as session:
        give_up(session, [feedback_id], "feedback.route: DeliveryRetryable")
    assert pages(sessions) == {"sms": "failed", "email": "sent"}
    return feedback_id, alert_ids


def replay_route(
    sessions: sessionmaker[Session], fakes: FakeProviders, feedback_id: str, alert_ids: list[int]
) -> None:
    """What `carepulse replay` and the replayed route task do, once the claim's lease is over."""
    with session_scope(sessions) as session:
        reopen(session, letter(sessions, "t-route", "feedback.route", [feedback_id]))
        alert_ids = route_feedback(session, [feedback_id], ROSTER, POLICY, utcnow())
    later = utcnow() + LEASE.length + timedelta(seconds=1)
    sender = providers(fakes.twilio, fakes.sendgrid)
    report = deliver_alerts(sessions, alert_ids, sender, POLICY, LEASE, clock=lambda: later)
    assert not report.unfinished


def test_a_replayed_route_sends_the_given_up_page_once(
    sessions: sessionmaker[Session], fakes: FakeProviders
) -> None:
    feedback_id, alert_ids = given_up_route(sessions, fakes)
    replay_route(sessions, fakes, feedback_id, alert_ids)
    replay_route(sessions, fakes, feedback_id, alert_ids)  # a second replay of the same letter

    assert pages(sessions) == {"sms": "sent", "email": "sent"}
    assert [message.to for message in fakes.twilio.messages] == ["+15550100"]
    assert len(fakes.sendgrid.mails) == 1  # the page already sent stayed sent


def test_a_given_up_page_that_reached_twilio_is_found_not_sent_again(
    sessions: sessionmaker[Session], fakes: FakeProviders
) -> None:
    feedback_id, alert_ids = given_up_route(sessions, fakes)
    with session_scope(sessions) as session:  # the last attempt reached Twilio, unrecorded
        sms = session.scalars(select(Alert).where(Alert.channel == "sms")).one()
        item = session.get(Feedback, feedback_id)
        code = session.scalar(select(Escalation.ack_code).where(Escalation.feedback_id == feedback_id))
        sid = providers(fakes.twilio, fakes.sendgrid).send(session, alert_message(sms, item, code, POLICY))

    replay_route(sessions, fakes, feedback_id, alert_ids)

    assert len(fakes.twilio.messages) == 1
    with sessions() as session:
        sms = session.get(Alert, sms.id)
        assert (sms.status, sms.provider_id) == ("sent", sid)
