"""Sending alert rows: a batch is claimed in one transaction, each page sent and recorded in
one of its own.

An alert is claimed (`sending`, with the time) and committed before the provider is
called, then recorded; a claim is renewed before it could lapse during a provider call.
A worker killed in between leaves its batch's claims behind: once their lease has passed,
the next attempt first asks the provider whether each message went out
(`Sender.find_sent`) and only sends if it did not, so a page reaches each recipient once.
Where the provider cannot tell (SendGrid), the alert is sent again: at-least-once, never
silence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from models.db import one_connection, session_scope
from models.oncall import Escalation
from models.tables import Alert, Feedback, utcnow
from pipelines.alerts import AlertPolicy, alert_message
from pipelines.clients.messaging import (
    DeliveryRejected,
    DeliveryRetryable,
    DeliveryUncertain,
    MessageSuppressed,
    OutboundMessage,
    Sender,
)
from pipelines.isolation import in_savepoint, isolate
from pipelines.telemetry import count_send, observe_ingest_to_alert

SETTLED = frozenset({"sent", "suppressed", "failed", "queued", "digested"})


@dataclass(frozen=True)
class Attempt:
    status: str  # sent | suppressed | failed | retry
    provider_id: str | None = None
    error: str | None = None
    code: str | None = None  # the provider's error code of a refusal
    uncertain: bool = False  # a retry after a request the provider may have acted on


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    in_flight: list[int] = field(default_factory=list)

    @property
    def unfinished(self) -> bool:
        return bool(self.retry or self.in_flight)


def attempt(
    session: Session, sender: Sender, message: OutboundMessage, uncertain_since: datetime | None = None
) -> Attempt:
    """One delivery attempt, classified; after an unrecorded earlier attempt, look first."""
    try:
        if uncertain_since is not None:
            found = sender.find_sent(session, message, uncertain_since)
            if found is not None:
                return Attempt("sent", found)
        return Attempt("sent", sender.send(session, message))
    except MessageSuppressed:
        return Attempt("suppressed")  # the recipient replied STOP; recorded, not sent
    except DeliveryRejected as exc:
        return Attempt("failed", error=str(exc), code=exc.code)
    except DeliveryRetryable as exc:
        return Attempt("retry", error=str(exc), uncertain=isinstance(exc, DeliveryUncertain))


@dataclass(frozen=True)
class PageLease:
    """How long a claimed page counts as someone's (`length`), and the longest one page's
    provider calls may take (`longest_send`: a lookup, then a send)."""

    length: timedelta
    longest_send: timedelta

    def __post_init__(self) -> None:
        if self.longest_send >= self.length:
            raise ValueError("a page lease must outlast the longest send")

    def runs_short(self, claimed_at: datetime, now: datetime) -> bool:
        """Whether a page sent now might still be in the provider's hands when the claim lapses."""
        return now + self.longest_send >= claimed_at + self.length


@dataclass(frozen=True)
class Page:
    """A claimed alert with its message, ready to send and record."""

    alert_id: int
    channel: str
    level: str
    first: bool  # of the first tier paged for its item, not an escalation
    received_at: datetime
    message: OutboundMessage
    uncertain_since: datetime | None  # when an unrecorded earlier attempt began


_OTHER = aliased(Alert)
# Built once: composing it (the alias, the aggregate) cost more CPU than running it.
_PAGES = (
    select(
        Alert,
        Feedback,
        Escalation.ack_code,
        select(func.min(_OTHER.tier)).where(_OTHER.feedback_id == Alert.feedback_id).scalar_subquery(),
    )
    .join(Feedback, Feedback.id == Alert.feedback_id)
    .outerjoin(Escalation, Escalation.feedback_id == Alert.feedback_id)
    .where(Alert.id.in_(bindparam("alert_ids", expanding=True)))
    .order_by(Alert.id)  # one lock order: two workers claiming overlapping batches never deadlock
    .with_for_update(of=Alert)
)
_MINE = (
    select(Alert)
    .where(Alert.id.in_(bindparam("alert_ids", expanding=True)))
    .order_by(Alert.id)
    .with_for_update()
)
_RECORD = (
    update(Alert)
    .where(Alert.id == bindparam("alert_id"))
    .values(
        status=bindparam("new_status"),
        error=bindparam("new_error"),
        provider_id=func.coalesce(
            bindparam("new_provider_id", type_=Alert.provider_id.type), Alert.provider_id
        ),
        sent_at=bindparam("new_sent_at", type_=Alert.sent_at.type),
    )
    .execution_options(synchronize_session=False)
)


def _claim(
    session: Session, alert_ids: list[int], now: datetime, lease: PageLease, policy: AlertPolicy
) -> tuple[list[Page], list[int]]:
    """Claim every alert of the batch that is neither settled nor in another worker's hands
    (`sending` within its lease), in one statement; the pages claimed and the ids in flight."""
    pages, in_flight = [], []
    for alert, item, code, first_tier in session.execute(_PAGES, {"alert_ids": alert_ids}):
        if alert.status in SETTLED:
            continue
        earlier = alert.claimed_at if alert.status == "sending" else None
        if earlier is not None and earlier > now - lease.length:
            in_flight.append(alert.id)  # another worker may be talking to the provider right now
            continue
        alert.status, alert.claimed_at, alert.attempts = "sending", now, alert.attempts + 1
        first = first_tier is None or alert.tier <= first_tier
        message = alert_message(alert, item, code or "-", policy)
        pages.append(Page(alert.id, alert.channel, alert.level, first, item.received_at, message, earlier))
    return pages, in_flight


def _claim_each(
    session: Session,
    alert_ids: list[int],
    now: datetime,
    lease: PageLease,
    policy: AlertPolicy,
    not_poison: tuple[type[Exception], ...],
) -> tuple[list[Page], list[int]]:
    """`_claim`, with a page that cannot be read or built (its item's row holds what the
    database driver refuses) failed alone with the error's class, so the batch's other
    pages still go out."""
    outcome = isolate(
        alert_ids, in_savepoint(session, lambda s, ids: [_claim(s, ids, now, lease, policy)]), not_poison
    )
    for alert_id, error in outcome.poisoned.items():
        params = {"new_provider_id": None, "new_sent_at": None}
        session.execute(_RECORD, {"alert_id": alert_id, "new_status": "failed", "new_error": error, **params})
    pages = [page for claimed, _ in outcome.done for page in claimed]
    return pages, [alert_id for _, in_flight in outcome.done for alert_id in in_flight]


def _renew(session: Session, pages: list[Page], claimed_at: datetime, now: datetime) -> list[Page]:
    """Refresh the claims still ours (unchanged since `claimed_at`); the pages they cover."""
    ours = set()
    for alert in session.scalars(_MINE, {"alert_ids": [page.alert_id for page in pages]}):
        if alert.status == "sending" and alert.claimed_at == claimed_at:
            alert.claimed_at = now
            ours.add(alert.id)
    return [page for page in pages if page.alert_id in ours]


def _send(session: Session, sender: Sender, page: Page, clock: Callable[[], datetime]) -> Attempt:
    """Send one page and record the outcome in the same transaction."""
    result = attempt(session, sender, page.message, page.uncertain_since)
    now = clock()
    # A request the provider may have acted on (a timeout) keeps its claim: once the lease
    # has passed, the next attempt asks the provider first, as after a crash.
    session.execute(
        _RECORD,
        {
            "alert_id": page.alert_id,
            "new_status": "sending" if result.uncertain else result.status,
            "new_error": result.error,
            "new_provider_id": result.provider_id,
            "new_sent_at": now if result.status == "sent" else None,
        },
    )
    count_send(page.channel, "page" if page.first else "escalation", result.status)
    if result.status == "sent" and page.first:
        observe_ingest_to_alert(page.channel, page.level, now - page.received_at)
    return result


def deliver_alerts(
    sessions: sessionmaker[Session],
    alert_ids: list[int],
    sender: Sender,
    policy: AlertPolicy,
    lease: PageLease,
    clock: Callable[[], datetime] = utcnow,
    not_poison: tuple[type[Exception], ...] = (),
) -> DeliveryReport:
    """Claim the batch in one transaction, then send each page in a transaction of its own,
    all on one connection. While providers answer quickly one claim covers the batch; once
    a claim could lapse during the next page's calls, the remaining claims are renewed first.
    `not_poison`: the caller's own errors (a time limit), never a page's fault."""
    report = DeliveryReport()
    with one_connection(sessions) as on_one:
        claimed_at = clock()
        with session_scope(on_one) as session:
            pages, report.in_flight = _claim_each(
                session, sorted(set(alert_ids)), claimed_at, lease, policy, not_poison
            )
        while pages:
            now = clock()
            if lease.runs_short(claimed_at, now):
                with session_scope(on_one) as session:
                    still_ours = _renew(session, pages, claimed_at, now)
                kept = {page.alert_id for page in still_ours}
                report.in_flight += [page.alert_id for page in pages if page.alert_id not in kept]
                pages, claimed_at = still_ours, now
                continue
            page, *pages = pages
            with session_scope(on_one) as session:
                result = _send(session, sender, page, clock)
            if result.status == "sent":
                report.sent.append(page.alert_id)
            elif result.status == "retry":
                (report.in_flight if result.uncertain else report.retry).append(page.alert_id)
    return report


def unsent_alerts(session: Session, now: datetime, grace: timedelta, lease: timedelta) -> list[int]:
    """Pages that should have gone out by now: never attempted within `grace` (their task was
    lost), waiting for a retry, or claimed by a worker that died (claim older than `lease`)."""
    return list(
        session.scalars(
            select(Alert.id)
            .where(
                ((Alert.status.in_(("pending", "retry"))) & (Alert.created_at < now - grace))
                | ((Alert.status == "sending") & (Alert.claimed_at < now - lease))
            )
            .order_by(Alert.id)
            .limit(500)
        )
    )


def give_up(session: Session, feedback_ids: list[str], reason: str) -> int:
    """Mark the items' unsent pages failed once retries are exhausted, so none stays silently
    pending; escalation to the next tier still follows on schedule."""
    alerts = session.scalars(
        select(Alert).where(
            Alert.feedback_id.in_(feedback_ids), Alert.status.in_(("pending", "retry", "sending"))
        )
    ).all()
    for alert in alerts:
        alert.status, alert.error = "failed", alert.error or reason
    return len(alerts)
