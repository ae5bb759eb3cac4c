"""What the urgency model sees: text n-grams plus rating, channel, sentiment, the
analyzer's hint and which red-flag rules fired (so it learns when a rule's "resolved"
or negated reading still deserves a level).

Hashing vectorizers keep the model's size and training memory fixed however many rows
arrive; character n-grams survive typos, missing accents and transcription noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import murmurhash3_32

from pipelines.urgency.rules import RuleHit, fold

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**19


@dataclass(frozen=True)
class UrgencyFeatures:
    """One item as the model reads it; built the same way for training and scoring."""

    text: str
    language: str | None
    rating: int | None
    channel: str | None
    sentiment_score: float
    urgency_hint: str | None
    rule_ids: tuple[str, ...]


def make_features(
    text: str | None,
    language: str | None,
    rating: int | None,
    channel: str | None,
    sentiment_score: float,
    urgency_hint: str | None,
    hits: list[RuleHit],
) -> UrgencyFeatures:
    return UrgencyFeatures(
        text=fold(text or ""),
        language=language,
        rating=rating,
        channel=channel,
        sentiment_score=sentiment_score,
        urgency_hint=urgency_hint,
        rule_ids=tuple(hit.rule for hit in hits),
    )


def texts(rows: list[UrgencyFeatures]) -> list[str]:
    return [row.text for row in rows]


def metas(rows: list[UrgencyFeatures]) -> list[dict[str, Any]]:
    """Categorical and numeric signals as a sparse dict per row."""
    out = []
    for row in rows:
        meta: dict[str, Any] = {
            "rating": str(row.rating) if row.rating else "none",
            "channel": row.channel or "none",
            "language": row.language or "none",
            "hint": row.urgency_hint or "none",
            "sentiment": row.sentiment_score,
            "negative": max(0.0, -row.sentiment_score),
        }
        for rule in row.rule_ids:
            meta[f"rule={rule}"] = 1.0
        out.append(meta)
    return out


def build_features() -> FeatureUnion:
    """Word 1-2-grams and character 2-5-grams (tf-idf weighted), plus the metadata."""
    return FeatureUnion(
        [
            (
                "words",
                make_pipeline(
                    FunctionTransformer(texts),
                    HashingVectorizer(
                        ngram_range=(1, 2), n_features=WORD_FEATURES, alternate_sign=False, norm=None
                    ),
                    TfidfTransformer(sublinear_tf=True),
                ),
            ),
            (
                "chars",
                make_pipeline(
                    FunctionTransformer(texts),
                    HashingVectorizer(
                        analyzer="char_wb",
                        ngram_range=(2, 5),
                        n_features=CHAR_FEATURES,
                        alternate_sign=False,
                        norm=None,
                    ),
                    TfidfTransformer(sublinear_tf=True),
                ),
            ),
            ("meta", make_pipeline(FunctionTransformer(metas), DictVectorizer())),
        ]
    )


def feature_pipeline(classifier: Any) -> Pipeline:
    return Pipeline([("features", build_features()), ("classify", classifier)])


class RowEncoder:
    """The fitted feature union for one row at a time, without scikit-learn's per-call
    validation (several milliseconds): the same hashing, sublinear tf-idf, l2 norm and
    metadata columns, checked against `FeatureUnion.transform` by the tests."""

    def __init__(self, union: FeatureUnion) -> None:
        self._text_blocks = []
        offset = 0
        for name, pipe in union.transformer_list:
            if name == "meta":
                self._meta_offset, self._vocabulary = offset, pipe[-1].vocabulary_
                offset += len(self._vocabulary)
                continue
            hasher, tfidf = pipe[1], pipe[2]
            self._text_blocks.append((offset, hasher.build_analyzer(), hasher.n_features, tfidf.idf_))
            offset += hasher.n_features
        self.width = offset

    def encode(self, row: UrgencyFeatures) -> dict[int, float]:
        """Column index → value for one row."""
        columns: dict[int, float] = {}
        for offset, analyze, n_features, idf in self._text_blocks:
            counts: dict[int, int] = {}
            for token in analyze(row.text):
                index = _hash_index(token, n_features)
                counts[index] = counts.get(index, 0) + 1
            weights = {i: (1.0 + math.log(n)) * idf[i] for i, n in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            columns.update({offset + i: w / norm for i, w in weights.items()})
        for name, value in metas([row])[0].items():
            key = f"{name}={value}" if isinstance(value, str) else name
            column = self._vocabulary.get(key)
            if column is not None:
                columns[self._meta_offset + column] = float(1.0 if isinstance(value, str) else value)
        return columns


@lru_cache(maxsize=2**20)  # n-grams repeat across texts; a lookup beats rehashing
def _hash_index(token: str, n_features: int) -> int:
    """FeatureHasher's column for a token (signed murmurhash3, absolute value, modulo)."""
    h = murmurhash3_32(token, seed=0)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features
