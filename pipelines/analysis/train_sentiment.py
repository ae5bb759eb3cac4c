"""Train the local analyzer's English polarity on the real NHS comments and write the artifact.

    .venv/bin/python -m pipelines.analysis.train_sentiment           # writes the artifact
    .venv/bin/python -m pipelines.analysis.train_sentiment --check   # is it what this writes?

Deterministic: the same comments give the same tables (TF-IDF and an L-BFGS logistic
regression have no randomness), and the version written is POLARITY_VERSION. The
comments with a clear polarity (criticality >= +1 positive, <= -2 negative) are the
training rows; the file is checked against scikit-learn's own scores before it is
written. `bench/sentiment_real.py` measures the result out of fold and across trusts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion

from pipelines.analysis.local import tokenize
from pipelines.analysis.polarity import (
    ARTIFACT,
    CHAR_NGRAMS,
    POLARITY_VERSION,
    WORD_NGRAMS,
    PolarityModel,
    model_text,
    shipped_model,
)
from pipelines.corpora import RealComment, nhs_comments

REGULARIZATION_C = 4.0
MAX_CHAR_NGRAMS = 60_000
FOLDS = 5
FOLD_SEED = 0
SOURCE = "NHS Friends and Family Test comments, phase 1 (pxtextmining, MIT, NHS England)"


def labeled(comments: Iterable[RealComment]) -> list[RealComment]:
    """The comments a polarity can be learned from."""
    return [comment for comment in comments if comment.polarity is not None]


def fit_polarity(comments: Sequence[RealComment]) -> PolarityModel:
    """A PolarityModel learned from comments that all have a polarity."""
    texts = [model_text(tokenize(comment.text)) for comment in comments]
    positive = np.array([comment.polarity == "positive" for comment in comments])
    words = TfidfVectorizer(
        token_pattern=r"[^ ]+", lowercase=False, ngram_range=WORD_NGRAMS, min_df=2, sublinear_tf=True
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        lowercase=False,
        ngram_range=CHAR_NGRAMS,
        min_df=3,
        sublinear_tf=True,
        max_features=MAX_CHAR_NGRAMS,
    )
    union = FeatureUnion([("words", words), ("chars", chars)])
    features = union.fit_transform(texts)
    words, chars = (transformer for _, transformer in union.transformer_list)
    regression = LogisticRegression(C=REGULARIZATION_C, max_iter=5000, class_weight="balanced")
    regression.fit(features, positive)
    weights = regression.coef_[0]
    split = len(words.vocabulary_)
    model = PolarityModel(
        POLARITY_VERSION,
        float(regression.intercept_[0]),
        _table(words, weights[:split]),
        _table(chars, weights[split:]),
    )
    _check_reproduces(model, comments, regression.decision_function(features))
    return model


def _table(vectorizer: TfidfVectorizer, weights: np.ndarray) -> dict[str, tuple[float, float]]:
    idf = vectorizer.idf_
    return {
        gram: (float(idf[index]), float(weights[index]))
        for gram, index in sorted(vectorizer.vocabulary_.items())
    }


def _check_reproduces(model: PolarityModel, comments: Sequence[RealComment], expected: np.ndarray) -> None:
    """The tables must score exactly as scikit-learn does, or the artifact lies."""
    got = np.array([model.logit(tokenize(comment.text)) for comment in comments])
    worst = float(np.max(np.abs(got - expected))) if len(got) else 0.0
    if worst > 1e-6:
        raise AssertionError(f"the tables drift from scikit-learn by {worst:g}")


def cross_validation_folds(
    comments: Sequence[RealComment],
) -> Iterator[tuple[list[RealComment], list[RealComment]]]:
    """(training, held-out) pairs: stratified by polarity, always the same split."""
    polarity = [comment.polarity for comment in comments]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=FOLD_SEED)
    for train, test in folds.split(np.zeros(len(comments)), polarity):
        yield [comments[i] for i in train], [comments[i] for i in test]


def organization_folds(
    comments: Sequence[RealComment],
) -> Iterator[tuple[str, list[RealComment], list[RealComment]]]:
    """(trust, the other trusts' comments, this trust's): does it carry to a new trust?"""
    for organization in sorted({comment.organization for comment in comments}):
        yield (
            organization,
            [c for c in comments if c.organization != organization],
            [c for c in comments if c.organization == organization],
        )


def same_tables(one: PolarityModel, other: PolarityModel) -> bool:
    """Equal up to floating-point noise: same version, n-grams, idf and weights."""
    if (one.version, one.words.keys(), one.chars.keys()) != (
        other.version,
        other.words.keys(),
        other.chars.keys(),
    ):
        return False
    pairs = [(one.intercept, other.intercept)] + [
        (a, b)
        for mine, theirs in ((one.words, other.words), (one.chars, other.chars))
        for gram in mine
        for a, b in zip(mine[gram], theirs[gram], strict=True)
    ]
    return all(abs(a - b) <= 1e-9 for a, b in pairs)


def main(argv: list[str]) -> int:
    comments = labeled(nhs_comments())
    model = fit_polarity(comments)
    if "--check" in argv:
        same = same_tables(model, shipped_model())
        print(f"{ARTIFACT.name}: {'what the script writes' if same else 'STALE: run this script again'}")
        return 0 if same else 1
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(
        {
            **model.to_tables(),
            "trained_on": SOURCE,
            "rows": len(comments),
            "scikit_learn": sklearn.__version__,
        },
        ARTIFACT,
        compress=3,
    )
    print(
        f"{ARTIFACT.name}: {POLARITY_VERSION}, {len(comments)} comments, "
        f"{len(model.words)} word and {len(model.chars)} character n-grams"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
