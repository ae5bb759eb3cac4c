"""The scoring stage: one urgency decision per feedback, then the item counts as analyzed."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.tables import Analysis, Feedback, UrgencyDecision
from pipelines.urgency.decide import UrgencyInput, decide_urgency
from pipelines.urgency.model import UrgencyModel


def score_feedback(session: Session, feedback_ids: list[str], model: UrgencyModel | None = None) -> list[str]:
    """Decide urgency for analyzed items without a decision; return the ids decided.

    Without a model the rules decide alone (see `decide_urgency`).
    """
    rows = session.execute(
        select(Feedback, Analysis)
        .join(Analysis, Analysis.feedback_id == Feedback.id)
        .where(Feedback.id.in_(feedback_ids))
    ).all()
    done = set(
        session.scalars(
            select(UrgencyDecision.feedback_id).where(UrgencyDecision.feedback_id.in_(feedback_ids))
        )
    )
    for item, analysis in rows:
        if item.id in done:
            continue
        result = decide_urgency(
            UrgencyInput(
                text=item.text,
                language=analysis.language or item.language,
                rating=item.rating,
                sentiment_label=analysis.sentiment_label,
                sentiment_score=analysis.sentiment_score,
                urgency_hint=analysis.urgency_hint,
                channel=item.channel,
            ),
            model,
        )
        session.add(
            UrgencyDecision(
                feedback_id=item.id,
                level=result.level,
                score=result.score,
                reasons=list(result.reasons),
                analyzer=analysis.analyzer,
                model_version=result.model_version,
            )
        )
    scored = [item.id for item, _ in rows]
    if scored:
        session.execute(
            update(Feedback)
            .where(Feedback.id.in_(scored), Feedback.status != "analyzed")
            .values(status="analyzed", failure_reason=None)
        )
    session.flush()
    return scored
