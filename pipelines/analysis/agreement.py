"""How often an analyzer's sentiment agrees with labeled texts, per language, and with
real comments' polarity and topics.

Used by `bench/local_sentiment.py`, `bench/sentiment_real.py` and the quality tests; the
labeled texts live in tests/fixtures/sentiment/ (labeled.jsonl was used to extend the
lexicon, heldout.jsonl was not), the real comments in pipelines/corpora/.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.analysis.result import Analyzer
from pipelines.corpora import RealComment

# The trusts' topic labels that name one of our topics; the others ("Care received",
# "Couldn't be improved", "Miscellaneous", "Transition/coordination") have no counterpart.
TOPICS_OF_LABEL: dict[str, frozenset[str]] = {
    "Staff": frozenset({"staff_attitude"}),
    "Communication": frozenset({"communication"}),
    "Access": frozenset({"wait_time"}),
    "Environment/ facilities": frozenset({"facilities", "cleanliness", "food"}),
    "Dignity": frozenset({"privacy", "staff_attitude"}),  # being treated with respect: how staff behave
}


@dataclass(frozen=True)
class Agreement:
    key: str  # a language, a polarity or a topic label
    agreed: int
    total: int

    @property
    def rate(self) -> float:
        return self.agreed / self.total if self.total else 0.0


def sentiment_agreement(analyzer: Analyzer, path: Path) -> dict[str, Agreement]:
    """Per language, how many lines' `sentiment` label the analyzer reproduces.
    The text alone is given: the language is the analyzer's to find."""
    agreed: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        total[row["language"]] += 1
        agreed[row["language"]] += analyzer.analyze(row["text"]).sentiment_label == row["sentiment"]
    return {lang: Agreement(lang, agreed[lang], total[lang]) for lang in total}


@dataclass(frozen=True)
class PolarityAgreement:
    """What the analyzer called each real comment, by the comment's polarity."""

    called: Counter[tuple[str, str]] = field(default_factory=Counter)  # (polarity, label) -> count

    def of(self, polarity: str) -> Agreement:
        total = sum(n for (gold, _), n in self.called.items() if gold == polarity)
        return Agreement(polarity, self.called[polarity, polarity], total)

    def neutral_share(self, polarity: str) -> float:
        total = self.of(polarity).total
        return self.called[polarity, "neutral"] / total if total else 0.0

    @property
    def overall(self) -> Agreement:
        agreed = sum(n for (gold, label), n in self.called.items() if gold == label)
        return Agreement("overall", agreed, sum(self.called.values()))


def polarity_agreement(analyzer: Analyzer, comments: Iterable[RealComment]) -> PolarityAgreement:
    """The analyzer's label against each comment's polarity (comments without one are
    skipped); the text alone is given, as a kiosk would send it."""
    called: Counter[tuple[str, str]] = Counter()
    for comment in comments:
        if comment.polarity is not None:
            called[comment.polarity, analyzer.analyze(comment.text).sentiment_label] += 1
    return PolarityAgreement(called)


def topic_agreement(analyzer: Analyzer, comments: Iterable[RealComment]) -> dict[str, Agreement]:
    """Per trust label that maps to our topics: how many comments get one of its topics."""
    agreed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for comment in comments:
        wanted = TOPICS_OF_LABEL.get(comment.label)
        if wanted is not None:
            total[comment.label] += 1
            agreed[comment.label] += not wanted.isdisjoint(analyzer.analyze(comment.text).topics)
    return {label: Agreement(label, agreed[label], total[label]) for label in TOPICS_OF_LABEL if total[label]}
