"""What every analyzer returns, so the stages never depend on which one ran."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")

TOPICS: tuple[str, ...] = (
    "wait_time",
    "staff_attitude",
    "communication",
    "pain_management",
    "medication",
    "cleanliness",
    "food",
    "facilities",
    "billing",
    "privacy",
    "safety",
    "other",
)

# When the danger a text mentions is happening, and to whom (the ConText modifiers of
# pipelines/urgency/corpus/GUIDELINE.md); "none" when the text mentions no danger.
TIMINGS: tuple[str, ...] = ("now", "past", "resolved", "hypothetical", "none")
EXPERIENCERS: tuple[str, ...] = ("patient", "relative", "other_person", "none")


@dataclass(frozen=True)
class AnalysisResult:
    """One analysis of one feedback item; immutable so it can be shared and cached."""

    sentiment_label: str  # one of SENTIMENT_LABELS
    sentiment_score: float  # -1.0 .. 1.0
    language: str  # ISO 639-1 code
    emotions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # subset of TOPICS
    summary: str | None = None
    urgency_hint: str | None = None  # "critical" | "high" | "medium" | "low" | None
    urgency_hint_reasons: tuple[str, ...] = ()
    timing: str | None = None  # one of TIMINGS; None when the analyzer cannot tell (the local one)
    experiencer: str | None = None  # one of EXPERIENCERS, or None likewise


class Analyzer(Protocol):
    """Anything that turns one feedback item into an AnalysisResult (local or model-backed)."""

    name: str

    def analyze(
        self,
        text: str | None,
        *,
        language: str | None = None,
        rating: int | None = None,
        emoji: str | None = None,
    ) -> AnalysisResult: ...
