"""The analysis stage: one `analyses` row per feedback, whatever runs twice.

A batch costs three statements (read, insert, status update) whatever its size: the
items are read as plain columns and the analyses inserted in one multi-row INSERT,
without building an ORM object per row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models.llm import LlmFallback
from models.tables import Analysis, Feedback
from pipelines.analysis.result import AnalysisResult, Analyzer


def analysis_columns(result: AnalysisResult, analyzer: str) -> dict[str, Any]:
    """An `analyses` row's values, for a first analysis and for a re-analysis alike."""
    return {
        "analyzer": analyzer,
        "sentiment_label": result.sentiment_label,
        "sentiment_score": result.sentiment_score,
        "language": result.language,
        "emotions": list(result.emotions),
        "topics": list(result.topics),
        "summary": result.summary,
        "urgency_hint": result.urgency_hint,
        "timing": result.timing,
        "experiencer": result.experiencer,
    }


def store_analysis(session: Session, feedback_id: str, result: AnalysisResult, analyzer: str) -> None:
    session.add(Analysis(feedback_id=feedback_id, **analysis_columns(result, analyzer)))


def record_fallback(session: Session, feedback_id: str, reason: str) -> None:
    """Remember that the local analyzer stood in for Gemini, so `carepulse reanalyze` finds it."""
    session.merge(LlmFallback(feedback_id=feedback_id, reason=reason[:32]))


def set_processing(session: Session, pending: list[str]) -> None:
    if pending:
        session.execute(update(Feedback).where(Feedback.id.in_(pending)).values(status="processing"))


def already_analyzed(session: Session, feedback_ids: list[str]) -> set[str]:
    return set(session.scalars(select(Analysis.feedback_id).where(Analysis.feedback_id.in_(feedback_ids))))


def analyze_feedback(session: Session, feedback_ids: list[str], analyzer: Analyzer) -> list[str]:
    """Analyze the items that have no analysis yet; return the ids that exist.

    Ids of rows that do not exist (a stale message) are dropped so the next stage
    never sees them.
    """
    rows = session.execute(
        select(
            Feedback.id,
            Feedback.text,
            Feedback.language,
            Feedback.rating,
            Feedback.emoji,
            Feedback.status,
            Analysis.id.label("analysis_id"),
        )
        .outerjoin(Analysis, Analysis.feedback_id == Feedback.id)
        .where(Feedback.id.in_(feedback_ids))
    ).all()
    new = [
        {
            "feedback_id": row.id,
            **analysis_columns(
                analyzer.analyze(row.text, language=row.language, rating=row.rating, emoji=row.emoji),
                analyzer.name,
            ),
        }
        for row in rows
        if row.analysis_id is None
    ]
    if new:
        session.execute(insert(Analysis), new)
    set_processing(session, [row.id for row in rows if row.status == "received"])
    known = {row.id for row in rows}
    return [fid for fid in feedback_ids if fid in known]
