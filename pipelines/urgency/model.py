"""The trained urgency model: a scikit-learn pipeline, the calibration of its
probabilities and the thresholds that turn them into a level, saved and loaded as one
joblib file.

Levels are decided on cumulative probabilities, highest first: "critical" when
P(critical) reaches its threshold, "high" when P(high or worse) reaches its own, and so
on; never an argmax. Each cumulative probability is calibrated (Platt scaling, fitted on
rows the classifier did not learn from: real comments and hand-written feedback), and
each threshold is chosen for a stated budget of false alarms (`training.calibrate`).
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.special import expit, logit
from sklearn.pipeline import Pipeline

from pipelines.urgency.features import RowEncoder, UrgencyFeatures
from pipelines.urgency.rules import LEVELS

# P(level or worse) needed to call a level; checked from "critical" down.
DEFAULT_THRESHOLDS = {"critical": 0.3, "high": 0.4, "medium": 0.4}
URGENT_LEVELS = ("critical", "high", "medium")  # the levels a threshold decides
Platt = tuple[float, float]  # calibrated p = expit(a * logit(p) + b)
FAST_PATH_MAX_ROWS = 64  # beyond this, scikit-learn's vectorized transform is faster


def write_atomically(path: Path, data: bytes) -> None:
    """A worker loading the file never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; workers may run as another user
    os.replace(tmp, path)


@dataclass(frozen=True)
class ModelVerdict:
    level: str
    probabilities: dict[str, float]  # per level, summing to 1
    at_least: dict[str, float] = field(default_factory=dict)  # calibrated P(level or worse)

    @property
    def score(self) -> float:
        """Expected urgency on a 0..1 scale (low 0, medium 1/3, high 2/3, critical 1)."""
        return round(sum(LEVELS.index(lvl) * p for lvl, p in self.probabilities.items()) / 3, 3)


@dataclass
class UrgencyModel:
    version: str
    estimator: Pipeline
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    calibration: dict[str, Platt] = field(default_factory=dict)  # per level; none: identity
    _fast: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_fast": None}  # rebuilt on first use, not stored twice

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"calibration": {}, **state})  # artifacts saved before calibration

    def at_least(self, probabilities: np.ndarray) -> np.ndarray:
        """Calibrated P(level or worse) per row, columns in LEVELS order."""
        cumulative = np.cumsum(probabilities[:, ::-1], axis=1)[:, ::-1]
        for level, (a, b) in self.calibration.items():
            column = LEVELS.index(level)
            raw = np.clip(cumulative[:, column], 1e-6, 1 - 1e-6)
            cumulative[:, column] = expit(a * logit(raw) + b)
        return cumulative

    def probabilities(self, rows: list[UrgencyFeatures]) -> np.ndarray:
        """One row per item, columns in LEVELS order (low → critical)."""
        raw = self._one_vs_rest(rows)
        classes = list(self.estimator.classes_)
        out = np.zeros((len(rows), len(LEVELS)))
        for column, level in enumerate(LEVELS):
            if level in classes:
                out[:, column] = raw[:, classes.index(level)]
        return out

    def _one_vs_rest(self, rows: list[UrgencyFeatures]) -> np.ndarray:
        """What the classifier's predict_proba computes (logistic of each one-vs-rest score,
        normalized), on rows encoded by RowEncoder: scoring one text is a latency path
        (under 5 ms at p99) and scikit-learn's per-call checks cost more than that."""
        classifier = self.estimator[-1]
        if len(classifier.classes_) < 3 or len(rows) > FAST_PATH_MAX_ROWS:
            return self.estimator.predict_proba(rows)
        if self._fast is None:
            coef = classifier.coef_
            # Dense (columns x classes, ~25 MB): picking a text's few hundred rows is microseconds.
            weights = np.ascontiguousarray((coef.toarray() if sp.issparse(coef) else coef).T)
            self._fast = (RowEncoder(self.estimator[0]), weights)
        encoder, weights = self._fast
        scores = np.empty((len(rows), len(classifier.classes_)))
        for n, row in enumerate(rows):
            indices, values = encoder.encode(row)
            scores[n] = values @ weights[indices] + classifier.intercept_
        probabilities = expit(scores)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def level_for(self, at_least: np.ndarray) -> str:
        """The highest level whose calibrated P(level or worse) reaches its threshold."""
        for candidate in URGENT_LEVELS:
            if at_least[LEVELS.index(candidate)] >= self.thresholds[candidate]:
                return candidate
        return "low"

    def predict(self, rows: list[UrgencyFeatures]) -> list[ModelVerdict]:
        probabilities = self.probabilities(rows)
        return [
            ModelVerdict(
                self.level_for(at_least),
                {lvl: round(float(p), 4) for lvl, p in zip(LEVELS, probs, strict=True)},
                {lvl: round(float(at_least[LEVELS.index(lvl)]), 4) for lvl in URGENT_LEVELS},
            )
            for probs, at_least in zip(probabilities, self.at_least(probabilities), strict=True)
        ]

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        write_atomically(path, buffer.getvalue())

    @staticmethod
    def load(path: Path) -> UrgencyModel:
        model = joblib.load(path)
        if not isinstance(model, UrgencyModel):
            raise TypeError(f"{path} does not hold an UrgencyModel")
        return model
