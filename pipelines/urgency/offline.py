"""Score one text exactly as the pipeline does (analysis, then rules and model), without
a database row: for `carepulse evaluate` and the latency bench."""

from __future__ import annotations

from pipelines.analysis.result import Analyzer
from pipelines.urgency.decide import UrgencyInput, UrgencyResult, decide_urgency
from pipelines.urgency.model import UrgencyModel


def score_text(
    analyzer: Analyzer,
    model: UrgencyModel | None,
    text: str | None,
    *,
    language: str | None = None,
    rating: int | None = None,
    channel: str | None = None,
) -> UrgencyResult:
    analysis = analyzer.analyze(text, language=language, rating=rating)
    return decide_urgency(
        UrgencyInput(
            text=text,
            language=analysis.language or language,
            rating=rating,
            sentiment_label=analysis.sentiment_label,
            sentiment_score=analysis.sentiment_score,
            urgency_hint=analysis.urgency_hint,
            channel=channel,
            timing=analysis.timing,
        ),
        model,
    )
