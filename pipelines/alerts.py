"""Routing: critical feedback pages the on-call staff at once, high feedback waits for
its department's hourly digest.

Each alert row is unique per (feedback, recipient, channel), so a re-run finds it instead
of creating another. Routing only creates rows; `pipelines.alert_delivery` sends them.
Alert texts carry a department, an acknowledgement code and a link, never clinical detail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.contacts import Keyring
from models.oncall import Escalation
from models.tables import Alert, Feedback, UrgencyDecision
from pipelines.clients.messaging import OutboundMessage
from pipelines.departments import page_department
from pipelines.oncall import Recipient, Roster

ACK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read off a phone screen
ACK_CODE_LENGTH = 5
QUEUED_FOR_DIGEST = "queued"


@dataclass(frozen=True)
class AlertPolicy:
    """What routing needs besides the roster: the keys that hash and encrypt addresses,
    where links point, and how long a page waits before escalating."""

    keys: Keyring
    link_base: str
    escalate_after: timedelta

    def triage_link(self, feedback_id: str | None = None) -> str:
        base = f"{self.link_base.rstrip('/')}/triage"
        return f"{base}?item={feedback_id}" if feedback_id else base


def new_ack_code() -> str:
    return "".join(secrets.choice(ACK_ALPHABET) for _ in range(ACK_CODE_LENGTH))


def alert_message(alert: Alert, item: Feedback, ack_code: str, policy: AlertPolicy) -> OutboundMessage:
    """The page for one recipient: where, how to acknowledge, and a link; nothing clinical."""
    where = page_department(item.department)
    subject = f"CarePulse: {alert.level} feedback in {where}"
    body = (
        f"{subject}. Reply ACK {ack_code} to take it, or open {policy.triage_link(item.id)}"
        if alert.channel == "sms"
        else f"{subject}.\n\nAcknowledge it on the triage page: {policy.triage_link(item.id)}\n"
        f"or reply ACK {ack_code} to the SMS page."
    )
    return OutboundMessage(
        channel=alert.channel,
        to=policy.keys.cipher.decrypt(alert.recipient_encrypted or ""),
        subject=subject if alert.channel == "email" else None,
        body=body,
        dedupe_key=f"alert-{alert.id}",
    )


AlertKey = tuple[str, str, str]  # feedback id, channel, recipient hash: one alert each


def existing_alerts(session: Session, feedback_ids: list[str]) -> dict[AlertKey, Alert]:
    """The items' alert rows, read in one query."""
    alerts = session.scalars(select(Alert).where(Alert.feedback_id.in_(feedback_ids)))
    return {(alert.feedback_id, alert.channel, alert.recipient_hash): alert for alert in alerts}


def ensure_alerts(
    session: Session,
    item: Feedback,
    level: str,
    recipients: list[Recipient],
    policy: AlertPolicy,
    status: str = "pending",
    existing: dict[AlertKey, Alert] | None = None,
) -> list[Alert]:
    """The item's alert row for each recipient, created once whatever the retries. A caller
    routing many items passes their `existing_alerts` and flushes once for all of them."""
    known = existing_alerts(session, [item.id]) if existing is None else existing
    wanted = []
    for recipient in recipients:
        key = (item.id, recipient.channel, policy.keys.hash(recipient.channel, recipient.address))
        alert = known.get(key)
        if alert is None:
            alert = Alert(
                feedback_id=item.id,
                level=level,
                channel=recipient.channel,
                recipient=recipient.label,
                recipient_hash=key[2],
                recipient_encrypted=policy.keys.cipher.encrypt(recipient.address),
                tier=recipient.tier,
                status=status,
            )
            session.add(alert)
            known[key] = alert
        wanted.append(alert)
    if existing is None:
        session.flush()
    return wanted


def open_escalation(
    session: Session, item: Feedback, tier: int, now: datetime, policy: AlertPolicy, opened: set[str]
) -> None:
    """The item's case, opened once at the tier first paged; `opened` holds the ids of the
    items that have one."""
    if item.id not in opened:
        session.add(
            Escalation(
                feedback_id=item.id,
                department=item.department,
                ack_code=new_ack_code(),
                tier=tier,
                next_at=now + policy.escalate_after,
            )
        )
        opened.add(item.id)


def route_feedback(
    session: Session, feedback_ids: list[str], roster: Roster, policy: AlertPolicy, now: datetime
) -> list[int]:
    """Create the alerts the items' urgency calls for; return the ids of those to send now
    (critical pages). High items' email alerts are queued for the hourly digest."""
    rows = session.execute(
        select(Feedback, UrgencyDecision)
        .join(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .where(Feedback.id.in_(feedback_ids), UrgencyDecision.level.in_(("critical", "high")))
    ).all()
    routed = [item.id for item, _ in rows]
    existing = existing_alerts(session, routed)
    opened = set(session.scalars(select(Escalation.feedback_id).where(Escalation.feedback_id.in_(routed))))
    pages: list[Alert] = []
    tiers = roster.first_tiers(session, {item.department for item, _ in rows}, now) if rows else {}
    for item, decision in rows:
        first = tiers[item.department]
        if decision.level == "critical":
            open_escalation(session, item, first[0].tier, now, policy, opened)
            pages += ensure_alerts(session, item, "critical", first, policy, existing=existing)
        else:
            # Nobody on call has an email address: the digest goes to the fallback, never nowhere.
            emails = [r for r in first if r.channel == "email"] or [
                r for r in roster.fallback(1) if r.channel == "email"
            ]
            ensure_alerts(session, item, "high", emails, policy, QUEUED_FOR_DIGEST, existing)
    session.flush()  # every new alert and case of the batch in one multi-row insert per table
    return [alert.id for alert in pages]
