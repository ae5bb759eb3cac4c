"""At most one send per reminder when a dispatcher dies or a provider call is left without
an answer, through the real SDK clients and the fake providers: a timed-out send is looked
up before it is sent again, a lookup never takes another patient's message, a re-claimed
row is screened again, and a row another dispatcher re-claimed is not sent twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.reminders import Reminder
from pipelines.reminders.consent import set_consent
from pipelines.reminders.dispatch import claim_due, outbound, send_claimed
from tests.fakes.providers import fake_providers
from tests.support.outreach import LEASE, dispatch_at, policy, real_sender, reminders, schedule, throttle

RULES = policy()
TZ = "Europe/Paris"
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
AFTER_LEASE = NOON + LEASE + timedelta(seconds=1)


def test_a_send_that_timed_out_is_looked_up_not_sent_again(sessions: sessionmaker[Session]) -> None:
    schedule(sessions, RULES, NOON, channel="sms", to="+33612345001")
    with fake_providers() as providers:
        release = threading.Event()
        providers.twilio.hold_creates(release)  # Twilio takes the message but does not answer in time
        dispatch_at(sessions, real_sender(providers, timeout=1), RULES, NOON)
        release.set()
        [row] = reminders(sessions)
        assert row.status == "sending" and "checking with the provider" in row.error
        dispatch_at(sessions, real_sender(providers), RULES, AFTER_LEASE)
        assert len(providers.twilio.messages) == 1
    [row] = reminders(sessions)
    assert (row.status, row.provider_id) == ("sent", providers.twilio.messages[0].sid)


def test_a_lookup_does_not_take_the_message_of_another_patient_on_the_same_phone(
    sessions: sessionmaker[Session],
) -> None:
    for child in ("CHILD-1", "CHILD-2"):  # the same text to the same parent's phone
        schedule(sessions, RULES, NOON, channel="sms", to="+33612345002", patient_ref=child)
    with fake_providers() as providers:
        sender = real_sender(providers)
        with session_scope(sessions) as session:
            claims, _ = claim_due(session, NOON, RULES, 50, LEASE)
        with session_scope(sessions) as session:  # the first reaches Twilio, then the worker dies
            sender.send(session, outbound(session.get(Reminder, claims[0].reminder_id), RULES))
        dispatch_at(sessions, sender, RULES, AFTER_LEASE)
        assert len(providers.twilio.messages) == 2
        sids = {message.sid for message in providers.twilio.messages}
    assert {row.provider_id for row in reminders(sessions, status="sent")} == sids


def test_a_reclaimed_row_is_screened_again_before_it_is_sent(sessions: sessionmaker[Session]) -> None:
    late = datetime(2026, 6, 10, 20, 55, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
    schedule(sessions, RULES, late, channel="sms", to="+33612345003", patient_ref="MRN-LATE")
    with session_scope(sessions) as session:
        claim_due(session, late, RULES, 50, LEASE)  # claimed at 20:55; the worker dies before the call
    with fake_providers() as providers:
        dispatch_at(sessions, real_sender(providers), RULES, late + LEASE + timedelta(minutes=30))
        assert providers.twilio.messages == []  # 21:30 in Paris: not now
        [row] = reminders(sessions)
        assert row.status == "scheduled" and row.send_at.astimezone(ZoneInfo(TZ)).hour == 8
        with session_scope(sessions) as session:
            set_consent(session, ["MRN-LATE"], "revoked", "sms", "free text")
        dispatch_at(sessions, real_sender(providers), RULES, row.send_at)
        assert providers.twilio.messages == []
    assert reminders(sessions)[0].status == "suppressed"


def test_a_row_reclaimed_by_another_dispatcher_is_not_sent_twice(sessions: sessionmaker[Session]) -> None:
    schedule(sessions, RULES, NOON, channel="sms", to="+33612345004")
    with fake_providers() as providers:
        sender = real_sender(providers)
        with session_scope(sessions) as session:
            slow_claims, _ = claim_due(
                session, NOON, RULES, 50, LEASE
            )  # a dispatcher stuck behind the rate limit
        dispatch_at(
            sessions, sender, RULES, AFTER_LEASE
        )  # another one re-claims it after the lease and sends
        report = send_claimed(sessions, slow_claims, sender, RULES, throttle(), clock=lambda: AFTER_LEASE)
        assert report.sent == 0
        assert len(providers.twilio.messages) == 1
