"""Feedback that talks to the model: spotting it, and making sure it gains nothing.

The prompt already treats texts as data and the urgency hint can only raise a level,
but a model that obeys "rate this as positive" would still turn a strongly negative
item into a positive one and lose it the "strongly negative" floor. So when a text
reads like an instruction to the model, its sentiment is the more negative of the
model's and the local analyzer's, and the hint says why.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipelines.analysis.local import fold
from pipelines.analysis.result import AnalysisResult

REASON = "instruction in feedback"

_PATTERNS = (
    # English
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules?|prompt|above|previous)\b",
    r"\b(?:mark|rate|classify|label|set|score|flag|treat)\b.{0,40}\b(?:low|positive|not urgent|non urgent)\b",
    r"\b(?:system prompt|you are now|as an ai|urgency_hint|sentiment_label|json)\b",
    # French
    r"\b(?:ignore[rz]?|oublie[rz]?)\b.{0,40}\b(?:instructions?|regles?|consignes?)\b",
    r"\b(?:marque[rz]?|classe[rz]?|note[rz]?|considere[rz]?)\b.{0,40}\b(?:faible|basse|positif|positive|pas urgent)\b",
    # Spanish
    r"\b(?:ignora[r]?|olvida[r]?)\b.{0,40}\b(?:instrucciones|reglas|indicaciones)\b",
    r"\b(?:marca[r]?|clasifica[r]?|califica[r]?|considera[r]?)\b.{0,40}\b(?:baja|bajo|positivo|positiva|no urgente)\b",
)
_INSTRUCTION = re.compile("|".join(_PATTERNS))
_RANK = {"negative": 0, "neutral": 1, "positive": 2}


def looks_like_instruction(text: str | None) -> bool:
    return bool(text) and _INSTRUCTION.search(fold(text or "")) is not None


def guard(model: AnalysisResult, local: AnalysisResult) -> AnalysisResult:
    """The model's reading, except that its sentiment may not be kinder than the local one."""
    worse = min(model, local, key=lambda r: (_RANK[r.sentiment_label], r.sentiment_score))
    reasons = (
        model.urgency_hint_reasons
        if REASON in model.urgency_hint_reasons
        else (*model.urgency_hint_reasons, REASON)
    )
    return replace(
        model,
        sentiment_label=worse.sentiment_label,
        sentiment_score=worse.sentiment_score,
        urgency_hint_reasons=reasons,
    )
