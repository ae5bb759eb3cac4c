"""A learned English polarity: TF-IDF word and character n-grams and a logistic regression,
trained on real patient comments (`python -m pipelines.analysis.train_sentiment`).

The artifact holds plain tables (n-gram -> idf and weight), not a pickled scikit-learn
pipeline, so scoring needs no scikit-learn on the hot path and the artifact cannot break
when scikit-learn is upgraded. Scoring here reproduces scikit-learn's arithmetic
(sublinear tf, idf, one l2 norm per vectorizer, dot product plus intercept); the
training script checks that on every training text before it writes the file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import joblib
import numpy as np

from pipelines.analysis import lexicon

POLARITY_VERSION = "polarity-nhs-fft-2"  # written by the training script, checked on load
ARTIFACT = Path(__file__).parent / "polarity_model" / "polarity.joblib"
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
NEGATED_PREFIX = "not_"
MODEL_TOKENS = 160  # bounds the time a very long comment takes (p99 of real ones: about 90)
KNOWN_WORDS_KEPT = 50_000  # bounds the per-word cache of character n-grams

_PUNCTUATION = frozenset(".,;:!?")


def negation_marked(tokens: Iterable[str]) -> list[str]:
    """Words after an English negator carry a "not_" prefix up to the clause's end, so
    "never happy" and "happy" are different features ("no" and "not" themselves stay)."""
    marked: list[str] = []
    negated = False
    for token in tokens:
        if token in _PUNCTUATION:
            marked.append(token)
            negated = False
            continue
        if token in lexicon.CLAUSE_BREAKS:
            negated = False
        marked.append(NEGATED_PREFIX + token if negated else token)
        if token in lexicon.NEGATORS["en"] or token.endswith("n't"):
            negated = True
    return marked


def model_text(tokens: list[str]) -> str:
    """What the vectorizers read, in training as in scoring: the first MODEL_TOKENS tokens,
    marked, joined by single spaces."""
    return " ".join(negation_marked(tokens[:MODEL_TOKENS]))


def word_ngrams(text: str) -> Iterator[str]:
    """scikit-learn's word n-grams with token_pattern r"[^ ]+" (space-separated tokens)."""
    words = text.split(" ")
    low, high = WORD_NGRAMS
    for n in range(low, high + 1):
        for i in range(len(words) - n + 1):
            yield " ".join(words[i : i + n])


def char_ngrams(word: str) -> list[str]:
    """scikit-learn's "char_wb" n-grams of one word, padded with one space on both sides."""
    padded = f" {word} "
    grams: list[str] = []
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        if len(padded) <= n:  # a short word counts once, whole, as scikit-learn counts it
            grams.append(padded)
            break
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class _Columns:
    """One vectorizer's tables as arrays: n-gram -> column, and per column idf * weight and
    idf squared, so a text's score is a few array operations, not a loop per n-gram."""

    def __init__(self, table: dict[str, tuple[float, float]]) -> None:
        self.of = {gram: column for column, gram in enumerate(table)}
        self.products = np.array([idf * weight for idf, weight in table.values()])
        self.idf_squared = np.array([idf * idf for idf, _ in table.values()])

    def known(self, grams: Iterable[str]) -> np.ndarray:
        return np.array([self.of[gram] for gram in grams if gram in self.of], dtype=np.intp)

    def score(self, columns: np.ndarray) -> float:
        """The l2-normalized tf-idf vector (sublinear tf: 1 + log(count)) dotted with the
        weights."""
        if not len(columns):
            return 0.0
        unique, counts = np.unique(columns, return_counts=True)
        tf = 1.0 + np.log(counts)
        return float(tf @ self.products[unique]) / math.sqrt(float((tf * tf) @ self.idf_squared[unique]))


@dataclass(frozen=True)
class PolarityModel:
    version: str
    intercept: float
    words: dict[str, tuple[float, float]]  # n-gram -> (idf, weight)
    chars: dict[str, tuple[float, float]]
    _words: _Columns = field(init=False, compare=False, repr=False)
    _chars: _Columns = field(init=False, compare=False, repr=False)
    # word -> the columns of its character n-grams: words recur, slicing them need not
    _char_columns: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_words", _Columns(self.words))
        object.__setattr__(self, "_chars", _Columns(self.chars))

    def logit(self, tokens: list[str]) -> float:
        """log(P(positive) / P(negative)) for the analyzer's folded tokens (the first
        MODEL_TOKENS of them: the rest of a long story rarely turns its polarity)."""
        text = model_text(tokens)
        per_word = [self._char_columns_of(word) for word in text.split()]
        chars = np.concatenate(per_word) if per_word else np.empty(0, dtype=np.intp)
        return (
            self.intercept
            + self._words.score(self._words.known(word_ngrams(text)))
            + self._chars.score(chars)
        )

    def _char_columns_of(self, word: str) -> np.ndarray:
        columns = self._char_columns.get(word)
        if columns is None:
            if len(self._char_columns) >= KNOWN_WORDS_KEPT:
                self._char_columns.clear()
            columns = self._chars.known(char_ngrams(word))
            self._char_columns[word] = columns
        return columns

    def to_tables(self) -> dict[str, object]:
        return {
            "version": self.version,
            "intercept": self.intercept,
            "words": self.words,
            "chars": self.chars,
        }


@cache
def shipped_model() -> PolarityModel:
    """The committed artifact; a file from another version of the script is refused."""
    tables = joblib.load(ARTIFACT)
    if tables.get("version") != POLARITY_VERSION:
        raise RuntimeError(f"{ARTIFACT} is {tables.get('version')!r}, expected {POLARITY_VERSION!r}")
    return PolarityModel(tables["version"], tables["intercept"], tables["words"], tables["chars"])
