"""Routing: critical and high feedback becomes alerts to the on-call staff.

Each alert row is unique per (feedback, recipient, channel), so a re-run finds it
instead of creating another. Critical alerts are at-least-once: the row is marked
sent only after the sender returns, so a crash in between resends on retry rather
than risk silence. Alert texts carry a department and a link, never clinical detail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Alert, Feedback, UrgencyDecision, utcnow
from pipelines.clients.messaging import MessageSuppressed, OutboundMessage, Sender


@dataclass(frozen=True)
class AlertTargets:
    """Who hears about what; a later roster replaces these defaults."""

    sms_to: str
    email_to: str
    link_base: str

    def for_level(self, level: str) -> list[tuple[str, str]]:
        if level == "critical":
            return [("sms", self.sms_to), ("email", self.email_to)]
        if level == "high":
            return [("email", self.email_to)]
        return []


def alert_text(item: Feedback, level: str, link_base: str) -> tuple[str, str]:
    where = item.department or "an unassigned department"
    subject = f"CarePulse: {level} feedback in {where}"
    body = f"{subject}. Please review: {link_base.rstrip('/')}/v1/feedback/{item.id}"
    return subject, body


def _ensure_alerts(session: Session, item: Feedback, level: str, targets: AlertTargets) -> list[Alert]:
    existing = {
        (alert.channel, alert.recipient): alert
        for alert in session.scalars(select(Alert).where(Alert.feedback_id == item.id))
    }
    for channel, recipient in targets.for_level(level):
        if (channel, recipient) not in existing:
            alert = Alert(feedback_id=item.id, level=level, channel=channel, recipient=recipient)
            session.add(alert)
            existing[(channel, recipient)] = alert
    session.flush()
    return list(existing.values())


def route_feedback(
    session: Session, feedback_ids: list[str], sender: Sender, targets: AlertTargets
) -> list[int]:
    """Create and send the alerts the items' urgency calls for; return the alert ids."""
    rows = session.execute(
        select(Feedback, UrgencyDecision)
        .join(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .where(Feedback.id.in_(feedback_ids), UrgencyDecision.level.in_(("critical", "high")))
    ).all()
    alert_ids: list[int] = []
    for item, decision in rows:
        subject, body = alert_text(item, decision.level, targets.link_base)
        for alert in _ensure_alerts(session, item, decision.level, targets):
            if alert.status not in ("sent", "suppressed"):
                alert.attempts += 1
                try:
                    alert.provider_id = sender.send(
                        session,
                        OutboundMessage(
                            channel=alert.channel,
                            to=alert.recipient,
                            subject=subject if alert.channel == "email" else None,
                            body=body,
                            dedupe_key=f"alert-{alert.id}",
                        ),
                    )
                except MessageSuppressed:
                    alert.status = "suppressed"  # the recipient replied STOP; recorded, not sent
                else:
                    alert.status = "sent"
                    alert.sent_at = utcnow()
            alert_ids.append(alert.id)
    session.flush()
    return alert_ids
