"""Urgency: the highest of the red-flag rules, the analyzer's hint and the model.

Safety first: nothing here can lower a level that a rule raised; the model and a hint
(even one a patient's text tried to steer) only ever raise. Without a model (a fresh
install before its first champion, or a test of the rules alone) strongly negative
feedback gets a "medium" floor instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.urgency.features import make_features
from pipelines.urgency.model import ModelVerdict, UrgencyModel
from pipelines.urgency.rules import RuleHit, binding_level, capped, max_level, model_ceiling, red_flags

RULES_VERSION = "rules-1"
LEVEL_SCORES = {"low": 0.1, "medium": 0.4, "high": 0.7, "critical": 0.95}


@dataclass(frozen=True)
class UrgencyInput:
    text: str | None
    language: str | None
    rating: int | None
    sentiment_label: str
    sentiment_score: float
    urgency_hint: str | None = None
    channel: str | None = None
    timing: str | None = None  # the analyzer's "now" | "past" | "resolved" | "hypothetical" | "none"


@dataclass(frozen=True)
class UrgencyResult:
    level: str
    score: float
    reasons: tuple[str, ...]
    model_version: str


def _sentiment_floor(item: UrgencyInput) -> str | None:
    """Strongly negative feedback deserves a look within days, never 'low'."""
    if item.sentiment_label != "negative":
        return None
    if item.sentiment_score <= -0.5 or (item.rating or 5) <= 2:
        return "medium"
    return None


def decide_urgency(item: UrgencyInput, model: UrgencyModel | None = None) -> UrgencyResult:
    return decide_urgencies([item], model)[0]


def decide_urgencies(items: list[UrgencyInput], model: UrgencyModel | None = None) -> list[UrgencyResult]:
    """Each item decided as `decide_urgency` would, with one model call for all of them
    (its per-call cost is paid once per batch)."""
    hits = [red_flags(item.text, item.language) for item in items]
    hints = [item.urgency_hint if item.urgency_hint in LEVEL_SCORES else None for item in items]
    verdicts: list[ModelVerdict | None] = [None] * len(items)
    if model is not None and items:
        features = [
            make_features(
                item.text, item.language, item.rating, item.channel, item.sentiment_score, hint, found
            )
            for item, hint, found in zip(items, hints, hits, strict=True)
        ]
        verdicts = list(model.predict(features))
    return [
        _decide(item, found, hint, verdict, model)
        for item, found, hint, verdict in zip(items, hits, hints, verdicts, strict=True)
    ]


def _decide(
    item: UrgencyInput,
    hits: list[RuleHit],
    hint: str | None,
    verdict: ModelVerdict | None,
    model: UrgencyModel | None,
) -> UrgencyResult:
    reasons = [hit.reason for hit in hits]
    ruled = binding_level(hits) if model is not None else max_level(*(hit.level for hit in hits))
    learned = capped(verdict.level if verdict is not None else None, model_ceiling(hits, item.text))
    if model is None:
        floor = _sentiment_floor(item)
        if floor:
            reasons.append("strongly negative feedback")
        ruled = max_level(ruled, floor)
    level = max_level(ruled, hint, learned)
    if hint and level == hint and level != ruled:
        reasons.append(f"analyzer hint: {hint}")
    if verdict is not None and level == learned and level != ruled:
        chance = verdict.at_least.get(learned, verdict.probabilities[learned])
        reasons.append(f"model: {learned} (calibrated p={chance:.2f})")
    score = LEVEL_SCORES[level]
    if level == "low":
        # Among low items, the more negative the sentiment the higher the score.
        score = round(0.2 - 0.1 * (item.sentiment_score + 1), 3)
    if item.timing and item.timing not in ("now", "none"):
        reasons.append(f"analyzer: happening {item.timing}")
    return UrgencyResult(
        level=level,
        score=round(score, 3),
        reasons=tuple(reasons) or ("no red flags",),
        model_version=model.version if model is not None else RULES_VERSION,
    )
