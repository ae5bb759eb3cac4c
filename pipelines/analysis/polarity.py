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
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import joblib

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


def _scoring(table: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """(idf, weight) -> (idf * weight, idf squared): what `_part` multiplies by tf."""
    return {gram: (idf * weight, idf * idf) for gram, (idf, weight) in table.items()}


def _part(grams: Iterable[str], scoring: dict[str, tuple[float, float]]) -> float:
    """One vectorizer's contribution: its l2-normalized tf-idf vector dotted with the weights
    (sublinear tf: 1 + log(count), which is 1 for the usual single occurrence)."""
    dot = norm = 0.0
    for gram, count in Counter(grams).items():
        entry = scoring.get(gram)
        if entry is None:
            continue
        tf = 1.0 if count == 1 else 1.0 + math.log(count)
        dot += tf * entry[0]
        norm += tf * tf * entry[1]
    return dot / math.sqrt(norm) if norm else 0.0


@dataclass(frozen=True)
class PolarityModel:
    version: str
    intercept: float
    words: dict[str, tuple[float, float]]  # n-gram -> (idf, weight)
    chars: dict[str, tuple[float, float]]
    _word_scoring: dict[str, tuple[float, float]] = field(init=False, compare=False, repr=False)
    _char_scoring: dict[str, tuple[float, float]] = field(init=False, compare=False, repr=False)
    # word -> its character n-grams the model knows: words recur, slicing them need not
    _known_chars: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_word_scoring", _scoring(self.words))
        object.__setattr__(self, "_char_scoring", _scoring(self.chars))

    def logit(self, tokens: list[str]) -> float:
        """log(P(positive) / P(negative)) for the analyzer's folded tokens (the first
        MODEL_TOKENS of them: the rest of a long story rarely turns its polarity)."""
        text = model_text(tokens)
        chars = [gram for word in text.split() for gram in self._chars_of(word)]
        return (
            self.intercept + _part(word_ngrams(text), self._word_scoring) + _part(chars, self._char_scoring)
        )

    def _chars_of(self, word: str) -> tuple[str, ...]:
        known = self._known_chars.get(word)
        if known is None:
            if len(self._known_chars) >= KNOWN_WORDS_KEPT:
                self._known_chars.clear()
            known = tuple(gram for gram in char_ngrams(word) if gram in self.chars)
            self._known_chars[word] = known
        return known

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
