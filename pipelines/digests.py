"""The hourly digest: one email per department and recipient listing how many new
high-urgency items wait, instead of an email per item.

Routing queues each high item's email alert (`queued`); the hourly beat task gathers them
into digest rows (unique per department, recipient and hour) and sends each digest once.
A digest whose worker died after SendGrid accepted it may go out twice: at-least-once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.oncall import AlertDigest
from models.tables import Alert, Feedback
from pipelines.alert_delivery import attempt
from pipelines.alerts import QUEUED_FOR_DIGEST, AlertPolicy
from pipelines.clients.messaging import OutboundMessage, Sender
from pipelines.departments import page_department
from pipelines.telemetry import count_send

UNASSIGNED = "unassigned"


def collect_digests(session: Session, now: datetime) -> list[int]:
    """Put every queued high alert into its digest of this hour; return digests to send."""
    period = now.replace(minute=0, second=0, microsecond=0)
    # SKIP LOCKED (PostgreSQL): an overlapping run leaves these alerts to the first one.
    queued = session.execute(
        select(Alert, Feedback.department)
        .join(Feedback, Feedback.id == Alert.feedback_id)
        .where(Alert.status == QUEUED_FOR_DIGEST)
        .with_for_update(skip_locked=True, of=Alert)
    ).all()
    digests: dict[tuple[str, str], AlertDigest] = {}
    for alert, department in queued:
        key = (department or UNASSIGNED, alert.recipient_hash)
        if key not in digests:
            digests[key] = session.scalar(
                select(AlertDigest).where(
                    AlertDigest.department == key[0],
                    AlertDigest.recipient_hash == key[1],
                    AlertDigest.period == period,
                )
            ) or AlertDigest(department=key[0], recipient_hash=key[1], period=period, items=0)
            session.add(digests[key])
            session.flush()
        digests[key].items += 1
        alert.digest_id, alert.status = digests[key].id, "digested"
    session.flush()
    return list(session.scalars(select(AlertDigest.id).where(AlertDigest.status.in_(("pending", "retry")))))


def deliver_digest(
    session: Session, digest_id: int, sender: Sender, policy: AlertPolicy, now: datetime
) -> str | None:
    """Send one digest unless already settled; return its new status."""
    digest = session.get(AlertDigest, digest_id, with_for_update=True)
    if digest is None or digest.status not in ("pending", "retry"):
        return None
    sample = session.scalar(select(Alert).where(Alert.digest_id == digest_id).limit(1))
    subject = f"CarePulse: {digest.items} high-urgency feedback in {page_department(digest.department)}"
    message = OutboundMessage(
        channel="email",
        to=policy.keys.cipher.decrypt(sample.recipient_encrypted or ""),
        subject=subject,
        body=f"{subject} since the last digest.\n\nReview them on the triage page: {policy.triage_link()}\n",
        dedupe_key=f"digest-{digest_id}",
    )
    result = attempt(session, sender, message)
    count_send(message.channel, "digest", result.status)
    digest.status = result.status
    if result.status in ("sent", "suppressed", "failed"):
        session.execute(
            update(Alert)
            .where(Alert.digest_id == digest_id)
            .values(
                status=result.status, sent_at=now if result.status == "sent" else None, error=result.error
            )
        )
    return result.status
