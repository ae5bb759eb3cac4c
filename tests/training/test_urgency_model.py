"""The urgency model beside the rules: it raises, never lowers; its fast path is the
scikit-learn pipeline's own arithmetic; and `carepulse evaluate` meets the targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipelines.analysis.local import LocalAnalyzer
from pipelines.training.dataset import assemble, prepare
from pipelines.training.train import fit
from pipelines.urgency.corpus import split_path
from pipelines.urgency.model import UrgencyModel
from pipelines.urgency.offline import score_text


@pytest.fixture(scope="module")
def model() -> UrgencyModel:
    return fit(prepare(assemble([]).train), "urgency-test")


def score(model: UrgencyModel | None, text: str, **extra: object):  # type: ignore[no-untyped-def]
    return score_text(LocalAnalyzer(), model, text, **extra)  # type: ignore[arg-type]


def test_one_row_fast_path_equals_scikit_learn(model: UrgencyModel) -> None:
    rows = prepare(assemble([]).held_out).features[:150]
    fast = np.vstack([model.probabilities([row]) for row in rows])
    batch = model.probabilities(rows * 1)  # 150 rows take scikit-learn's own path
    assert np.allclose(fast, batch, atol=1e-9)


def test_model_never_lowers_a_red_flag(model: UrgencyModel) -> None:
    silent = UrgencyModel(model.version, model.estimator, {"critical": 2.0, "high": 2.0, "medium": 2.0})
    result = score(silent, "my father in bed 4 can't breathe", rating=5)
    assert result.level == "critical"
    assert result.reasons[0].startswith("red flag: breathing difficulty")
    assert result.model_version == model.version


def test_model_raises_critical_meaning_without_keywords(model: UrgencyModel) -> None:
    result = score(
        model, "Lovely nurses. My dad has gone grey and clammy and keeps clutching his arm", rating=5
    )
    assert result.level == "critical"
    assert any(reason.startswith("model: critical") for reason in result.reasons)


@pytest.mark.parametrize(
    ("text", "ceiling"),
    [
        ("the chest pain he had last night is completely gone now, thank you all", "medium"),
        ("no chest pain or breathing problems, the stay was fine", "medium"),
        ("the view from the sixth floor took my breath away", "low"),
        ("the light in the stairwell is out", "low"),
    ],
)
def test_negated_resolved_and_figurative_are_not_alarms(model: UrgencyModel, text: str, ceiling: str) -> None:
    assert score(model, text).level in ("low", "medium")[: ("low", "medium").index(ceiling) + 1]


def test_artifact_round_trip(model: UrgencyModel, tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    model.save(path)
    loaded = UrgencyModel.load(path)
    row = prepare(assemble([]).held_out).features[:1]
    assert loaded.version == model.version
    assert np.allclose(loaded.probabilities(row), model.probabilities(row))


def test_evaluate_command_meets_the_targets_on_the_held_out_split(tmp_path: Path) -> None:
    """Done-when 1: critical recall >= 0.97, macro F1 >= 0.85, under 5% of lows called urgent."""
    predictions = tmp_path / "predictions.jsonl"
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cp.db'}", "CAREPULSE_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "carepulse.cli",
            "evaluate",
            str(split_path("test")),
            "--json",
            "--predictions",
            str(predictions),
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert metrics["per_level"]["critical"]["recall"] >= 0.97
    assert metrics["macro_f1"] >= 0.85
    assert metrics["low_called_urgent"] < 0.05
    assert set(metrics["confusion"]) == {"critical", "high", "medium", "low"}
    first = json.loads(predictions.read_text().splitlines()[0])
    assert {"predicted", "score", "reasons", "urgency", "text"} <= set(first)
