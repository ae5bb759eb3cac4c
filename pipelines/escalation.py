"""Escalation: a critical page nobody acknowledges goes up the chain, tier by tier.

Beat runs `escalate_due` every ESCALATION_CHECK_SECONDS with the current time; tests pass
their own clock. A case is open while `next_at` is set; acknowledging the item (API,
triage page or an `ACK <code>` SMS) closes it at the next check. When no higher tier is on
call, the fallback contacts are paged once and the case stays at the top of the triage page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.oncall import Escalation
from models.tables import Alert, Feedback
from pipelines.alerts import AlertPolicy, ensure_alerts
from pipelines.oncall import Roster


def escalate_due(session: Session, roster: Roster, policy: AlertPolicy, now: datetime) -> list[int]:
    """Page the next tier of every case due by `now`; return the new alerts' ids."""
    # SKIP LOCKED (PostgreSQL): two beat processes or an overlapping check never both
    # escalate one case; the other simply finds nothing due.
    due = session.scalars(
        select(Escalation)
        .where(Escalation.next_at.is_not(None), Escalation.next_at <= now)
        .order_by(Escalation.next_at)
        .limit(200)
        .with_for_update(skip_locked=True)
    ).all()
    new_alerts: list[int] = []
    for case in due:
        item = session.get(Feedback, case.feedback_id)
        if item.acknowledged_at is not None:
            case.next_at = None
            continue
        recipients = roster.next_tier(session, case.department, case.tier, now)
        if recipients:
            case.tier, case.next_at = recipients[0].tier, now + policy.escalate_after
        else:
            recipients = roster.fallback(case.tier + 1)
            case.exhausted_at, case.next_at = now, None
        new_alerts += [
            alert.id
            for alert in ensure_alerts(session, item, "critical", recipients, policy)
            if alert.status == "pending"
        ]
    return new_alerts


def case_for_sms_ack(session: Session, code: str, phone_hashes: list[str]) -> tuple[Escalation, str] | None:
    """The case an `ACK <code>` SMS answers and the paged person's name, if that phone was
    paged for it: a code alone does not let a stranger silence a page."""
    case = session.scalar(select(Escalation).where(Escalation.ack_code == code.strip().upper()))
    if case is None:
        return None
    name = session.scalar(
        select(Alert.recipient).where(
            Alert.feedback_id == case.feedback_id,
            Alert.channel == "sms",
            Alert.recipient_hash.in_(phone_hashes),
        )
    )
    return (case, name) if name is not None else None
