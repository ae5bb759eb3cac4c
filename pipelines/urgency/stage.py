"""The scoring stage: one urgency decision per feedback, then the item counts as analyzed."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models.tables import Analysis, Feedback, UrgencyDecision
from pipelines.urgency.decide import UrgencyInput, decide_urgencies
from pipelines.urgency.model import UrgencyModel


def score_feedback(session: Session, feedback_ids: list[str], model: UrgencyModel | None = None) -> list[str]:
    """Decide urgency for analyzed items without a decision; return the ids decided.

    Without a model the rules decide alone (see `decide_urgency`). One read, one model
    call, one multi-row INSERT and one status update per batch, whatever its size.
    """
    rows = session.execute(
        select(
            Feedback.id,
            Feedback.text,
            Feedback.language,
            Feedback.rating,
            Feedback.channel,
            Analysis.language.label("analysis_language"),
            Analysis.sentiment_label,
            Analysis.sentiment_score,
            Analysis.urgency_hint,
            Analysis.timing,
            Analysis.analyzer,
            UrgencyDecision.id.label("decision_id"),
        )
        .join(Analysis, Analysis.feedback_id == Feedback.id)
        .outerjoin(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .where(Feedback.id.in_(feedback_ids))
    ).all()
    undecided = [row for row in rows if row.decision_id is None]
    results = decide_urgencies(
        [
            UrgencyInput(
                text=row.text,
                language=row.analysis_language or row.language,
                rating=row.rating,
                sentiment_label=row.sentiment_label,
                sentiment_score=row.sentiment_score,
                urgency_hint=row.urgency_hint,
                channel=row.channel,
                timing=row.timing,
            )
            for row in undecided
        ],
        model,
    )
    if undecided:
        session.execute(
            insert(UrgencyDecision),
            [
                {
                    "feedback_id": row.id,
                    "level": result.level,
                    "score": result.score,
                    "reasons": list(result.reasons),
                    "analyzer": row.analyzer,
                    "model_version": result.model_version,
                }
                for row, result in zip(undecided, results, strict=True)
            ],
        )
    scored = [row.id for row in rows]
    if scored:
        session.execute(
            update(Feedback)
            .where(Feedback.id.in_(scored), Feedback.status != "analyzed")
            .values(status="analyzed", failure_reason=None)
        )
    return scored
