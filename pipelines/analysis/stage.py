"""The analysis stage: one `analyses` row per feedback, whatever runs twice."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.tables import Analysis, Feedback
from pipelines.analysis.result import Analyzer


def analyze_feedback(session: Session, feedback_ids: list[str], analyzer: Analyzer) -> list[str]:
    """Analyze the items that have no analysis yet; return the ids that exist.

    Ids of rows that do not exist (a stale message) are dropped so the next stage
    never sees them.
    """
    rows = session.scalars(select(Feedback).where(Feedback.id.in_(feedback_ids))).all()
    done = set(session.scalars(select(Analysis.feedback_id).where(Analysis.feedback_id.in_(feedback_ids))))
    for item in rows:
        if item.id in done:
            continue
        result = analyzer.analyze(item.text, language=item.language, rating=item.rating, emoji=item.emoji)
        session.add(
            Analysis(
                feedback_id=item.id,
                analyzer=analyzer.name,
                sentiment_label=result.sentiment_label,
                sentiment_score=result.sentiment_score,
                language=result.language,
                emotions=list(result.emotions),
                topics=list(result.topics),
                summary=result.summary,
                urgency_hint=result.urgency_hint,
            )
        )
    pending = [item.id for item in rows if item.status == "received"]
    if pending:
        session.execute(update(Feedback).where(Feedback.id.in_(pending)).values(status="processing"))
    session.flush()
    known = {item.id for item in rows}
    return [fid for fid in feedback_ids if fid in known]
