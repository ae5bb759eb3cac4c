"""The dispatcher: claims due reminders in chunks and sends each at most once.

A chunk is claimed with `SELECT … FOR UPDATE SKIP LOCKED` (on PostgreSQL; SQLite takes the
whole database's write lock instead), so dispatchers running side by side, from two beat
processes or a redelivered task, never claim the same row. Each claimed row is marked
`sending` and committed; just before its provider call the claim is taken again (still
ours?) and refreshed, so the lease covers one call. A worker killed between the provider's
answer and the record, or a call that timed out after reaching the provider, leaves a
`sending` row behind; after its lease the next dispatcher asks the provider (Twilio's
message list, skipping messages already matched to another reminder; for email, SendGrid's
events) whether it went out, and only if it did not screens it again and sends it.

Every check that can stop a message runs again at claim time, under a per-patient lock:
consent, suppression, opt-out, the send window and the daily and weekly caps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.reminders import DeliveryEvent, Reminder
from models.tables import utcnow
from pipelines.alert_delivery import Attempt, attempt
from pipelines.clients.messaging import DeliveryRetryable, OutboundMessage, Sender
from pipelines.reminders.consent import suppress_contact
from pipelines.reminders.planning import LATEST_BEFORE_APPOINTMENT
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.screening import Screen
from pipelines.telemetry import count_send

log = logging.getLogger(__name__)

COUNTED = ("sending", "sent", "delivered")
# Twilio error codes that mean the number will never take our messages.
PERMANENT_SMS_CODES = frozenset({"21610", "21211", "21614", "30005", "30006", "30007"})
SENDGRID_SENT_EVENTS = ("processed", "delivered", "deferred", "open", "click")


class Throttle(Protocol):
    def wait(self, channel: str) -> None: ...


@dataclass(frozen=True)
class Claim:
    reminder_id: str
    channel: str
    claimed_at: datetime  # the claim's token: a row re-claimed by another dispatcher has another
    uncertain_since: datetime | None = None  # an earlier attempt's claim whose outcome is unknown


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0


def _lock_patient(session: Session, patient_ref: str) -> None:
    """Serialize the cap check of one patient across dispatchers (SQLite is serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:ref, 7))"), {"ref": patient_ref})


def _local_midnight(now: datetime, tz: str, days_back: int) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    day = local.date() - timedelta(days=days_back)
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(tz))


def _sent_since(session: Session, row: Reminder, since: datetime) -> int:
    """The patient's other messages claimed for sending since `since`."""
    return session.scalar(
        select(func.count(Reminder.id)).where(
            Reminder.patient_ref == row.patient_ref,
            Reminder.status.in_(COUNTED),
            Reminder.claimed_at >= since,
            Reminder.id != row.id,
        )
    )


def _over_cap(session: Session, row: Reminder, now: datetime, policy: ReminderPolicy) -> bool:
    """At most `daily_cap` messages per local day and `weekly_cap` per seven local days."""
    _lock_patient(session, row.patient_ref)
    return (
        _sent_since(session, row, _local_midnight(now, row.timezone, 0)) >= policy.daily_cap
        or _sent_since(session, row, _local_midnight(now, row.timezone, 6)) >= policy.weekly_cap
    )


def _too_late(row: Reminder, moment: datetime) -> bool:
    return (
        row.kind == "appointment"
        and row.appointment_at is not None
        and moment > row.appointment_at - LATEST_BEFORE_APPOINTMENT
    )


def _screen_row(
    session: Session, row: Reminder, screen: Screen, now: datetime, policy: ReminderPolicy
) -> str:
    """The row's new status: `sending` if it may go now, `scheduled` if it waits for the
    window to open, otherwise why it will not be sent."""
    refusal = screen.refusal(row.patient_ref, row.channel, row.recipient_hash)
    if refusal:
        row.error = refusal
        return "suppressed"
    if not policy.window.open_for(now, policy.margin, row.timezone):
        row.send_at = policy.window.next_open(now, row.timezone, policy.margin)
        return "expired" if _too_late(row, row.send_at) else "scheduled"
    if _too_late(row, now):
        return "expired"
    if _over_cap(session, row, now, policy):
        row.error = "over the daily or weekly cap"
        return "capped"
    return "sending"


def claim_due(
    session: Session, now: datetime, policy: ReminderPolicy, limit: int, lease: timedelta
) -> tuple[list[Claim], int]:
    """Claim up to `limit` due rows, and rows whose dispatcher died mid-send (lease passed):
    the claims, and how many due rows were settled (claimed, held back or refused)."""
    due = or_(
        and_(Reminder.status == "scheduled", Reminder.send_at <= now),
        and_(Reminder.status == "sending", Reminder.claimed_at < now - lease),
    )
    rows = session.scalars(
        select(Reminder).where(due).order_by(Reminder.send_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    screen = Screen.load(session, {row.patient_ref for row in rows}, {row.recipient_hash for row in rows})
    claims = []
    for row in sorted(rows, key=lambda r: (r.patient_ref, r.send_at)):  # one lock order: no deadlock
        if row.status == "sending":  # checked with the provider before anything else (_settle)
            claims.append(Claim(row.id, row.channel, now, uncertain_since=row.claimed_at))
            row.claimed_at = now
            continue
        row.status = _screen_row(session, row, screen, now, policy)
        if row.status == "sending":
            row.claimed_at, row.attempts = now, row.attempts + 1
            claims.append(Claim(row.id, row.channel, now))
    return claims, len(rows)


def outbound(row: Reminder, policy: ReminderPolicy) -> OutboundMessage:
    return OutboundMessage(
        channel=row.channel,
        to=policy.keys.cipher.decrypt(row.recipient_encrypted),
        body=row.body,
        subject=row.subject,
        dedupe_key=f"reminder:{row.id}",
        status_callback=f"{policy.public_base_url}/v1/twilio/status" if row.channel == "sms" else None,
        unsubscribe_url=policy.unsubscribe_url(row.id) if row.channel == "email" else None,
    )


def _email_went_out(session: Session, reminder_id: str) -> bool:
    """SendGrid cannot be asked what it sent; its events say so once they have arrived."""
    return (
        session.scalar(
            select(DeliveryEvent.id).where(
                DeliveryEvent.reminder_id == reminder_id, DeliveryEvent.event.in_(SENDGRID_SENT_EVENTS)
            )
        )
        is not None
    )


def record_attempt(
    session: Session, row: Reminder, result: Attempt, now: datetime, policy: ReminderPolicy
) -> None:
    row.error = result.error
    if result.status == "sent":
        row.status, row.sent_at = "sent", now
        row.provider_id = result.provider_id or row.provider_id
    elif result.status == "suppressed":
        row.status, row.error = "suppressed", "opted out"
    elif result.status == "failed":
        row.status = "failed"
        if result.code in PERMANENT_SMS_CODES:
            suppress_contact(session, row.recipient_hash, row.channel, f"twilio {result.code}")
    elif result.uncertain:  # it may have gone out: left `sending`, looked up after the lease
        row.error = f"{result.error}; checking with the provider before sending again"[:255]
        row.status = "sending"
    else:
        reschedule(row, now, policy)
    result_label = row.status if row.status in ("sent", "suppressed", "failed") else "retry"
    count_send(row.channel, "reminder" if row.kind == "appointment" else row.kind, result_label)


def reschedule(row: Reminder, now: datetime, policy: ReminderPolicy) -> None:
    """A transient failure: try again after a backoff, inside the window, or give up."""
    retry_at = policy.window.next_open(now + policy.retry_delay(row.attempts), row.timezone, policy.margin)
    if row.attempts >= policy.max_attempts or _too_late(row, retry_at):
        row.status = "failed"
        row.error = f"gave up after {row.attempts} attempts: {row.error or 'provider unavailable'}"[:255]
    else:
        row.status, row.send_at = "scheduled", retry_at


def _ours(session: Session, claim: Claim) -> Reminder | None:
    """The claimed row, locked, if no other dispatcher has re-claimed it since."""
    row = session.get(Reminder, claim.reminder_id, with_for_update=True)
    if row is None or row.status != "sending" or row.claimed_at != claim.claimed_at:
        return None
    return row


def _settle(
    session: Session, claim: Claim, sender: Sender, policy: ReminderPolicy, now: datetime
) -> Claim | None:
    """A row whose earlier send has no recorded outcome: record it sent if the provider has
    it; otherwise screen it again like a fresh claim and return the claim to send it."""
    row = _ours(session, claim)
    if row is None:
        return None
    others = session.scalars(
        select(Reminder.provider_id).where(
            Reminder.recipient_hash == row.recipient_hash,
            Reminder.id != row.id,
            Reminder.provider_id.is_not(None),
        )
    )
    try:
        if row.channel == "email" and _email_went_out(session, row.id):
            found: str | None = row.provider_id or "sendgrid"
        else:
            found = sender.find_sent(session, outbound(row, policy), claim.uncertain_since, frozenset(others))
    except DeliveryRetryable:
        return None  # the provider cannot tell now: looked up again after the next lease
    if found is not None:
        record_attempt(session, row, Attempt("sent", found), now, policy)
        return None
    screen = Screen.load(session, [row.patient_ref], [row.recipient_hash])
    row.status = _screen_row(session, row, screen, now, policy)
    if row.status == "sending" and row.attempts >= policy.max_attempts:
        row.status, row.error = (
            "failed",
            f"gave up after {row.attempts} attempts: no answer from the provider",
        )
    if row.status != "sending":
        return None
    row.attempts += 1
    return Claim(row.id, row.channel, row.claimed_at)


def send_claimed(
    sessions: sessionmaker[Session],
    claims: list[Claim],
    sender: Sender,
    policy: ReminderPolicy,
    throttle: Throttle,
    clock: Callable[[], datetime] = utcnow,
) -> DispatchReport:
    """Send each claimed row under the rate limit. Just before the provider call the claim is
    taken again and refreshed, so the lease only has to cover one call, however long the
    chunk waits for the rate limit; a row another dispatcher re-claimed meanwhile is skipped."""
    report = DispatchReport(claimed=len(claims))
    for claim in claims:
        if claim.uncertain_since is not None:
            with session_scope(sessions) as session:
                settled = _settle(session, claim, sender, policy, clock())
            if settled is None:
                continue
            claim = settled
        throttle.wait(claim.channel)
        with session_scope(sessions) as session:
            row = _ours(session, claim)
            if row is None:
                continue
            row.claimed_at = clock()
            claim = Claim(row.id, row.channel, row.claimed_at)
            message = outbound(row, policy)
        with session_scope(sessions) as session:
            result = attempt(session, sender, message)
            row = session.get(Reminder, claim.reminder_id, with_for_update=True)
            record_attempt(session, row, result, clock(), policy)
            report.sent += row.status == "sent"
            report.failed += row.status == "failed"
            report.retry += row.status in ("scheduled", "sending")
    if report.failed or report.retry:
        log.warning("reminders: %d sent, %d to retry, %d failed", report.sent, report.retry, report.failed)
    return report


def dispatch(
    sessions: sessionmaker[Session],
    sender: Sender,
    policy: ReminderPolicy,
    throttle: Throttle,
    *,
    chunk: int,
    lease: timedelta,
    budget: timedelta,
    clock: Callable[[], datetime] = utcnow,
) -> DispatchReport:
    """Claim and send chunk after chunk until nothing is due or the time budget is spent."""
    total, started = DispatchReport(), clock()
    while clock() - started < budget:
        with session_scope(sessions) as session:
            claims, settled = claim_due(session, clock(), policy, chunk, lease)
        if not settled:
            break
        report = send_claimed(sessions, claims, sender, policy, throttle, clock)
        total.claimed += report.claimed
        total.sent += report.sent
        total.retry += report.retry
        total.failed += report.failed
    return total
