"""Staff triage of one feedback: PATCH /v1/feedback/{id}.

Every change is written to the audit log with who and when; an `urgency_label` is also
kept as the gold label the weekly retraining learns from (one per feedback, latest wins).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.feedback_filters import UNLISTED
from ingest.schemas import BodyModel
from models.tables import AuditEntry, Feedback, utcnow
from models.urgency_models import UrgencyLabel

TRIAGE_ACTION = "feedback.triage"


class TriageIn(BodyModel):
    """What staff may change: the triage state, a note, and the urgency they judge right."""

    triage_state: Literal["acknowledged", "resolved"]
    note: str | None = Field(default=None, max_length=4000)
    urgency_label: Literal["critical", "high", "medium", "low"] | None = None


def apply_triage(session: Session, feedback_id: str, change: TriageIn, actor: str) -> bool:
    """Apply and audit the change; False when there is no such feedback."""
    item = session.get(Feedback, feedback_id, options=[UNLISTED])  # it may predate its checks
    if item is None:
        return False
    now = utcnow()
    item.triage_state = change.triage_state
    if item.acknowledged_at is None:  # resolving owns the item too; escalation stops either way
        item.acknowledged_at = now
    if change.urgency_label is not None:
        label = session.scalar(select(UrgencyLabel).where(UrgencyLabel.feedback_id == feedback_id))
        if label is None:
            session.add(
                UrgencyLabel(
                    feedback_id=feedback_id, label=change.urgency_label, labeled_by=actor, labeled_at=now
                )
            )
        else:
            label.label, label.labeled_by, label.labeled_at = change.urgency_label, actor, now
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action=TRIAGE_ACTION,
            target=feedback_id,
            details=change.model_dump(exclude_none=True),
        )
    )
    session.flush()
    return True


def triage_view(session: Session, item: Feedback) -> dict[str, Any]:
    """State, the notes in order (who, when, what), and the staff urgency label if any."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == TRIAGE_ACTION, AuditEntry.target == item.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    label = session.scalar(select(UrgencyLabel.label).where(UrgencyLabel.feedback_id == item.id))
    return {
        "state": item.triage_state,
        "notes": [
            {"at": entry.at.isoformat(), "by": entry.actor, "note": entry.details["note"]}
            for entry in entries
            if entry.details.get("note")
        ],
        "urgency_label": label,
    }
