"""Fit a challenger: a linear model over hashed n-grams and metadata.

Stochastic gradient descent with logistic loss still gives probabilities, fits 100,000
rows within the two-minute budget on two cores (bench/train_bench.py), and balanced
class weights keep whichever level is scarce in the corrections from being drowned.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from pathlib import Path

from sklearn.linear_model import SGDClassifier

from pipelines.training.calibrate import Calibration, calibrate
from pipelines.training.dataset import Dataset, Prepared, prepare
from pipelines.urgency.features import feature_pipeline
from pipelines.urgency.model import UrgencyModel

ALPHA = 3e-5
MAX_EPOCHS = 25
UPDATES = 1_000_000  # scikit-learn's rule of thumb: about 10^6 samples seen in total
SEED = 20261123
# What turns a text into features and a level: the urgency code and the local analyzer.
_CODE_FILES = (
    "features.py",
    "model.py",
    "rules.py",
    "patterns.py",
    "decide.py",
    "../analysis/lexicon.py",
    "context.py",
    "vitals.py",
    "../analysis/local.py",
    "../training/train.py",
    "../training/calibrate.py",
)


def code_version() -> str:
    """A hash of the code that turns text into a level, so a registry row says what made it."""
    digest = hashlib.sha256()
    urgency = Path(__file__).parent.parent / "urgency"
    for name in _CODE_FILES:
        digest.update((urgency / name).read_bytes())
    return digest.hexdigest()[:12]


def new_version(prefix: str = "urgency") -> str:
    return f"{prefix}-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}"


def fit(data: Prepared, version: str) -> UrgencyModel:
    classifier = SGDClassifier(
        loss="log_loss",
        alpha=ALPHA,
        max_iter=min(MAX_EPOCHS, math.ceil(UPDATES / max(1, len(data)))),
        tol=None,
        class_weight="balanced",
        random_state=SEED,
        n_jobs=2,  # one-vs-rest classes on threads
    )
    estimator = feature_pipeline(classifier)
    estimator.fit(data.features, data.labels)
    # Most hashed columns never occur: sparse weights make one prediction ~20x faster.
    classifier.sparsify()
    return UrgencyModel(version=version, estimator=estimator)


def fit_calibrated(dataset: Dataset, version: str) -> tuple[UrgencyModel, Calibration]:
    """A model on every training row, with the calibration and thresholds that a first
    fit, without the calibration split, earned on that split."""
    fit_rows, held = dataset.calibration_split()
    calibration = calibrate(fit(prepare(fit_rows), version), prepare(held), [item.source for item in held])
    model = fit(prepare(dataset.train), version)
    model.calibration, model.thresholds = calibration.calibration, calibration.thresholds
    return model, calibration
