"""How often an analyzer's sentiment agrees with labeled texts, per language.

Used by `bench/local_sentiment.py` and the quality test; the labeled texts live in
tests/fixtures/sentiment/ (labeled.jsonl was used to extend the lexicon, heldout.jsonl
was not).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipelines.analysis.result import Analyzer


@dataclass(frozen=True)
class Agreement:
    language: str
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
