"""The local analyzer must be good enough to run a hospital on during an outage."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.analysis.agreement import sentiment_agreement
from pipelines.analysis.local import LocalAnalyzer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sentiment"
TARGETS = {"en": 0.85, "fr": 0.75, "es": 0.75}


@pytest.mark.parametrize("name", ["labeled.jsonl", "heldout.jsonl"])
def test_sentiment_agrees_with_labels(name: str) -> None:
    results = sentiment_agreement(LocalAnalyzer(), FIXTURES / name)
    assert set(results) == set(TARGETS)
    for lang, target in TARGETS.items():
        assert results[lang].total >= 16
        assert results[lang].rate >= target, f"{name} {lang}: {results[lang]}"
