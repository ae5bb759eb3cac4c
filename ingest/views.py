"""The staff view of one feedback item, shaped as CONTRACT.md describes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.audio_view import audio_fields
from ingest.feedback_filters import UNLISTED
from ingest.triage import triage_view
from ingest.unreadable_rows import UNREADABLE, skipped
from models.tables import Alert, Analysis, Feedback, UrgencyDecision


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _analysis(analysis: Analysis | None, decision: UrgencyDecision | None) -> dict[str, Any] | None:
    if analysis is None:
        return None
    body: dict[str, Any] = {
        "sentiment": {"label": analysis.sentiment_label, "score": analysis.sentiment_score},
        "emotions": analysis.emotions,
        "topics": analysis.topics,
        "summary": analysis.summary,
        "analyzer": analysis.analyzer,
        "timing": analysis.timing,  # when the danger it mentions happens, if the analyzer could tell
        "experiencer": analysis.experiencer,  # whom that danger is about, likewise
        "urgency": None,
        "model_version": None,
    }
    if decision is not None:
        body["urgency"] = {"level": decision.level, "score": decision.score, "reasons": decision.reasons}
        body["model_version"] = decision.model_version
    return body


def _submitted_at(session: Session, feedback_id: str) -> str | None:
    """The device's submission time, or None for one stored before it was checked at the
    edge that cannot be read back (skipped and counted, so the rest of the item shows)."""
    try:
        return _iso(session.scalar(select(Feedback.submitted_at).where(Feedback.id == feedback_id)))
    except UNREADABLE:
        skipped("feedback item", feedback_id)
        return None


def feedback_detail(session: Session, feedback_id: str) -> dict[str, Any] | None:
    item = session.get(Feedback, feedback_id, options=[UNLISTED])
    if item is None:
        return None
    analysis = session.scalar(select(Analysis).where(Analysis.feedback_id == feedback_id))
    decision = session.scalar(select(UrgencyDecision).where(UrgencyDecision.feedback_id == feedback_id))
    alerts = session.scalars(select(Alert).where(Alert.feedback_id == feedback_id).order_by(Alert.id))
    return {
        "id": item.id,
        "channel": item.channel,
        "status": item.status,
        "failure_reason": item.failure_reason,
        "text": item.text,
        **audio_fields(session, item.id),
        "rating": item.rating,
        "emoji": item.emoji,
        "language": (analysis.language if analysis else None) or item.language,
        "department": item.department,
        "patient_ref": item.patient_ref,
        "submitted_at": _submitted_at(session, item.id),
        "received_at": _iso(item.received_at),
        "purged_at": _iso(item.purged_at),  # retention removed its free text and audio
        "analysis": _analysis(analysis, decision),
        "alerts": [
            {
                "id": alert.id,
                "level": alert.level,
                "channel": alert.channel,
                "status": alert.status,
                "created_at": _iso(alert.created_at),
                "sent_at": _iso(alert.sent_at),
            }
            for alert in alerts
        ],
        "triage": triage_view(session, item),
    }
