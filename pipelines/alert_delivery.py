"""Sending alert rows, each in short transactions of its own.

An alert is claimed (`sending`, with the time) and committed before the provider is
called, then recorded. A worker killed in between leaves a claim behind: once the claim's
lease has passed, the next attempt first asks the provider whether the message went out
(`Sender.find_sent`) and only sends if it did not, so a page reaches each recipient once.
Where the provider cannot tell (SendGrid), the alert is sent again: at-least-once, never
silence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from models.db import session_scope
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


def _claim(session: Session, alert_id: int, now: datetime, lease: timedelta) -> tuple[str, datetime | None]:
    """('claimed', when an unrecorded earlier attempt began) | ('settled'|'in_flight', None)."""
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None or alert.status in SETTLED:
        return "settled", None
    earlier = alert.claimed_at if alert.status == "sending" else None
    if earlier is not None and earlier > now - lease:
        return "in_flight", None  # another worker may be talking to the provider right now
    alert.status, alert.claimed_at, alert.attempts = "sending", now, alert.attempts + 1
    return "claimed", earlier


_OTHER = aliased(Alert)
# Built once: composing it (the alias, the aggregate) cost more CPU than running it.
_PAGE = (
    select(
        Alert,
        Feedback,
        Escalation.ack_code,
        select(func.min(_OTHER.tier)).where(_OTHER.feedback_id == Alert.feedback_id).scalar_subquery(),
    )
    .join(Feedback, Feedback.id == Alert.feedback_id)
    .outerjoin(Escalation, Escalation.feedback_id == Alert.feedback_id)
    .where(Alert.id == bindparam("alert_id"))
)


def _claimed_page(session: Session, alert_id: int) -> tuple[Alert, Feedback, str | None, bool]:
    """The alert, its item, the item's ack code and whether the alert belongs to the first
    tier paged for its item (not an escalation to a later one), in one query."""
    alert, item, code, first = session.execute(_PAGE, {"alert_id": alert_id}).one()
    return alert, item, code, first is None or alert.tier <= first


def deliver_alerts(
    sessions: sessionmaker[Session],
    alert_ids: list[int],
    sender: Sender,
    policy: AlertPolicy,
    lease: timedelta,
    clock: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    report = DeliveryReport()
    for alert_id in alert_ids:
        with session_scope(sessions) as session:
            state, uncertain_since = _claim(session, alert_id, clock(), lease)
        if state == "in_flight":
            report.in_flight.append(alert_id)
        if state != "claimed":
            continue
        with session_scope(sessions) as session:
            alert, item, code, first_page = _claimed_page(session, alert_id)
            result = attempt(
                session, sender, alert_message(alert, item, code or "-", policy), uncertain_since
            )
            # A request the provider may have acted on (a timeout) keeps its claim: once the
            # lease has passed, the next attempt asks the provider first, as after a crash.
            alert.status = "sending" if result.uncertain else result.status
            alert.error = result.error
            alert.provider_id = result.provider_id or alert.provider_id
            count_send(alert.channel, "page" if first_page else "escalation", result.status)
            if result.status == "sent":
                alert.sent_at = clock()
                report.sent.append(alert_id)
                if first_page:
                    observe_ingest_to_alert(alert.channel, alert.level, alert.sent_at - item.received_at)
            elif result.status == "retry":
                (report.in_flight if result.uncertain else report.retry).append(alert_id)
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
