"""Re-analysis: give Gemini the items the local analyzer answered during an outage.

A few go through the ordinary online path (micro-batches, breaker, budget). Many go to
Gemini's Batch mode (half the price, hours of turnaround): the job is recorded, its
items marked, and a later `collect_batch_jobs` applies the answers. Only the analysis
row changes; the urgency decision and any alerts already made stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.llm import LlmBatchJob, LlmFallback, LlmUsage
from models.tables import Analysis, Feedback, utcnow
from pipelines.analysis.gemini import GEMINI, AnalysisRequest, GeminiAnalyzer
from pipelines.analysis.gemini_prompt import (
    SYSTEM_INSTRUCTION,
    BatchAnswer,
    PromptItem,
    build_prompt,
    estimate_tokens,
    max_output_tokens,
    parse_answer,
)
from pipelines.analysis.result import AnalysisResult
from pipelines.analysis.stage import analysis_columns
from pipelines.clients.gemini import GeminiError


@dataclass(frozen=True)
class ReanalysisReport:
    candidates: int
    reanalyzed: int = 0
    still_local: int = 0
    batch_job: str | None = None


def candidates(session: Session, limit: int) -> list[str]:
    """Items answered locally in Gemini's stead, not yet re-analyzed nor in a Batch job."""
    return list(
        session.scalars(
            select(LlmFallback.feedback_id)
            .join(Analysis, Analysis.feedback_id == LlmFallback.feedback_id)
            .where(
                LlmFallback.reanalyzed_at.is_(None),
                LlmFallback.batch_job.is_(None),
                Analysis.analyzer != GEMINI,
            )
            .order_by(LlmFallback.at)
            .limit(limit)
        )
    )


def _requests(session: Session, feedback_ids: list[str]) -> list[AnalysisRequest]:
    items = session.scalars(select(Feedback).where(Feedback.id.in_(feedback_ids)))
    return [AnalysisRequest(i.id, i.text, i.language, i.rating, i.emoji) for i in items]


def _apply(session: Session, results: dict[str, AnalysisResult]) -> None:
    for feedback_id, result in results.items():
        session.execute(
            update(Analysis)
            .where(Analysis.feedback_id == feedback_id)
            .values(**analysis_columns(result, GEMINI))
        )
    if results:
        session.execute(
            update(LlmFallback)
            .where(LlmFallback.feedback_id.in_(list(results)))
            .values(reanalyzed_at=utcnow(), batch_job=None)
        )


def reanalyze_online(
    sessions: sessionmaker[Session], analyzer: GeminiAnalyzer, feedback_ids: list[str]
) -> ReanalysisReport:
    with sessions() as session:
        requests = _requests(session, feedback_ids)
    outcomes = analyzer.analyze_many(requests)
    done = {key: o.result for key, o in outcomes.items() if o.analyzer == GEMINI}
    with session_scope(sessions) as session:
        _apply(session, done)
    return ReanalysisReport(len(feedback_ids), reanalyzed=len(done), still_local=len(outcomes) - len(done))


def submit_batch_job(
    sessions: sessionmaker[Session], analyzer: GeminiAnalyzer, feedback_ids: list[str]
) -> ReanalysisReport:
    """One Batch-mode job; each of its requests carries `batch_size` items keyed by feedback id.

    The job's token estimate is reserved against today's budget when it is submitted
    and settled when it is collected; no room in the budget, no job.
    """
    with sessions() as session:
        requests = [r for r in _requests(session, feedback_ids) if r.text and r.text.strip()]
    size = analyzer.batch_size
    prompts = {
        f"r{n}": build_prompt(
            [PromptItem(r.key, r.text or "", r.rating, r.language) for r in requests[i : i + size]]
        )
        for n, i in enumerate(range(0, len(requests), size))
    }
    estimate = sum(estimate_tokens(p, size) for p in prompts.values())
    day = analyzer.budget.reserve(estimate) if prompts else None
    if day is None:
        return ReanalysisReport(len(feedback_ids))
    try:
        name = analyzer.client.submit_batch(SYSTEM_INSTRUCTION, prompts, BatchAnswer, max_output_tokens(size))
    except GeminiError:
        analyzer.budget.settle(day, estimate, None)
        raise
    with session_scope(sessions) as session:
        session.add(
            LlmBatchJob(
                name=name,
                model=analyzer.client.model,
                items=len(requests),
                estimate_tokens=estimate,
                budget_day=day,
            )
        )
        session.execute(
            update(LlmFallback)
            .where(LlmFallback.feedback_id.in_([r.key for r in requests]))
            .values(batch_job=name)
        )
    return ReanalysisReport(len(feedback_ids), batch_job=name)


def collect_batch_jobs(sessions: sessionmaker[Session], analyzer: GeminiAnalyzer) -> list[tuple[str, str]]:
    """Apply every finished job; a failed or expired one frees its items for another try.
    Returns (job name, state) for each job looked at."""
    with sessions() as session:
        jobs = list(session.scalars(select(LlmBatchJob).where(LlmBatchJob.finished_at.is_(None))))
    seen = []
    for job in jobs:
        state = analyzer.client.batch_job(job.name)
        seen.append((job.name, state.state))
        if state.state in ("pending", "running"):
            continue
        with sessions() as session:
            keys = set(
                session.scalars(select(LlmFallback.feedback_id).where(LlmFallback.batch_job == job.name))
            )
        results: dict[str, AnalysisResult] = {}
        replies = state.replies.values()
        tokens = LlmUsage(
            model=job.model,
            mode="batch",
            outcome=state.state,
            items=job.items,
            prompt_tokens=sum(r.usage.prompt_tokens for r in replies),
            output_tokens=sum(r.usage.output_tokens for r in replies),
            total_tokens=sum(r.usage.total_tokens for r in replies),
            latency_ms=0,
        )
        for reply in state.replies.values():
            results.update(parse_answer(reply.text, keys))
        with session_scope(sessions) as session:
            _apply(session, results)
            session.execute(
                update(LlmFallback).where(LlmFallback.batch_job == job.name).values(batch_job=None)
            )
            session.execute(
                update(LlmBatchJob)
                .where(LlmBatchJob.name == job.name)
                .values(state=state.state, finished_at=datetime.now(UTC))
            )
        analyzer.budget.settle(job.budget_day, job.estimate_tokens, tokens)
    return seen
