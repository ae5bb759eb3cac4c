"""What the urgency model sees: text n-grams plus rating, channel, sentiment, the
analyzer's hint and which red-flag rules fired (so it learns when a rule's "resolved"
or negated reading still deserves a level).

Hashing vectorizers keep the model's size and training memory fixed however many rows
arrive; character n-grams survive typos, missing accents and transcription noise.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import murmurhash3_32

from pipelines.urgency.context import cues
from pipelines.urgency.rules import RuleHit, fold

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**19
MAX_REMEMBERED_NGRAMS = 2**20  # per block: bounds a long-lived worker's memory


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
    cues: tuple[str, ...] = ()  # context cue families in the text (context.cues)


def make_features(
    text: str | None,
    language: str | None,
    rating: int | None,
    channel: str | None,
    sentiment_score: float,
    urgency_hint: str | None,
    hits: list[RuleHit],
) -> UrgencyFeatures:
    folded = fold(text or "")
    return UrgencyFeatures(
        text=folded,
        language=language,
        rating=rating,
        channel=channel,
        sentiment_score=sentiment_score,
        urgency_hint=urgency_hint,
        rule_ids=tuple(hit.rule for hit in hits),
        cues=cues(folded),
    )


def texts(rows: list[UrgencyFeatures]) -> list[str]:
    return [row.text for row in rows]


def metas(rows: list[UrgencyFeatures]) -> list[dict[str, Any]]:
    """Categorical and numeric signals as a sparse dict per row. The language is left out on
    purpose: emergencies in French and Spanish are far commoner in the training data than
    everyday French and Spanish feedback, and the language alone must never look urgent."""
    out = []
    for row in rows:
        meta: dict[str, Any] = {
            "rating": str(row.rating) if row.rating else "none",
            "channel": row.channel or "none",
            "hint": row.urgency_hint or "none",
            "sentiment": row.sentiment_score,
            "negative": max(0.0, -row.sentiment_score),
        }
        for rule in row.rule_ids:
            meta[f"rule={rule}"] = 1.0
        for cue in row.cues:
            meta[f"cue={cue}"] = 1.0
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
    metadata columns, checked against `FeatureUnion.transform` by the tests.

    Each distinct n-gram of a text is hashed once (a per-block dict remembers its column,
    since n-grams repeat across texts) and the weights are computed with numpy."""

    def __init__(self, union: FeatureUnion) -> None:
        self._text_blocks = []
        offset = 0
        for name, pipe in union.transformer_list:
            if name == "meta":
                self._meta_offset, self._vocabulary = offset, pipe[-1].vocabulary_
                offset += len(self._vocabulary)
                continue
            hasher, tfidf = pipe[1], pipe[2]
            columns: dict[str, int] = {}
            self._text_blocks.append(
                (offset, hasher.build_analyzer(), hasher.n_features, tfidf.idf_, columns)
            )
            offset += hasher.n_features
        self.width = offset

    def encode(self, row: UrgencyFeatures) -> tuple[np.ndarray, np.ndarray]:
        """The row's non-zero columns and their values (a column may appear only once)."""
        indices, values = [], []
        for offset, analyze, n_features, idf, columns in self._text_blocks:
            counts: dict[int, int] = {}
            for token, n in Counter(analyze(row.text)).items():
                column = columns.get(token)
                if column is None:
                    column = columns[token] = _hash_index(token, n_features)
                counts[column] = counts.get(column, 0) + n  # two n-grams may share a column
            if len(columns) > MAX_REMEMBERED_NGRAMS:
                columns.clear()
            block = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[
                block
            ]
            norm = math.sqrt(weights @ weights) or 1.0
            indices.append(block + offset)
            values.append(weights / norm)
        meta_columns, meta_values = [], []
        for name, value in metas([row])[0].items():
            key = f"{name}={value}" if isinstance(value, str) else name
            column = self._vocabulary.get(key)
            if column is not None:
                meta_columns.append(self._meta_offset + column)
                meta_values.append(float(1.0 if isinstance(value, str) else value))
        indices.append(np.array(meta_columns, dtype=np.int64))
        values.append(np.array(meta_values, dtype=float))
        return np.concatenate(indices), np.concatenate(values)


def _hash_index(token: str, n_features: int) -> int:
    """FeatureHasher's column for a token (signed murmurhash3, absolute value, modulo)."""
    h = murmurhash3_32(token, seed=0)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features
