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
from pipelines.training.train import fit_calibrated
from pipelines.urgency.corpus import split_path
from pipelines.urgency.model import UrgencyModel
from pipelines.urgency.offline import score_text
from pipelines.urgency.rules import red_flags


@pytest.fixture(scope="module")
def model() -> UrgencyModel:
    return fit_calibrated(assemble([]), "urgency-test")[0]


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


def test_the_model_reads_critical_meaning_that_no_rule_names(model: UrgencyModel) -> None:
    text = "the man next to me in the waiting room has slumped sideways and won't answer"
    assert red_flags(text) == []
    result = score(model, text)
    assert result.level == "critical"
    assert result.reasons[0].startswith("model: critical (calibrated p=")


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


def test_the_model_pages_only_through_calibrated_thresholds(model: UrgencyModel) -> None:
    """Never an argmax: each level has a calibrated threshold chosen on the calibration split."""
    assert set(model.calibration) == {"critical", "high", "medium"}
    assert all(0.05 <= model.thresholds[level] <= 0.95 for level in ("critical", "high", "medium"))
    text = "Nothing, staff were lovely"
    assert score(model, text).level == "low"


def test_evaluate_command_reports_real_comments_and_the_hand_written_set_first(tmp_path: Path) -> None:
    """Issue 18, done-when 1 and 2, as `carepulse evaluate` reports them offline."""
    report = tmp_path / "report.md"
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cp.db'}", "CAREPULSE_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "carepulse.cli", "evaluate", "--json", "--report", str(report)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    results = json.loads(result.stdout.strip().splitlines()[-1])
    real, written = results["real_comments"], results["handwritten"]
    assert real["n"] > 10_000 and real["predicted_share"]["critical"] <= 0.005
    assert real["praise_called_critical_or_high"] <= 0.005
    assert len(real["critical_calls"]) < 60
    assert written["n"] >= 400
    assert written["per_level"]["critical"]["recall"] >= 0.97
    assert min(written["critical_recall_by_language"].values()) >= 0.95
    assert written["low_called_urgent"] < 0.02
    assert written["macro_f1"] >= 0.80
    lines = report.read_text().splitlines()
    assert lines[0].startswith("# Urgency on real")
    assert sum(line.startswith("- (") for line in lines) == len(real["critical_calls"])


def test_evaluate_command_meets_the_targets_on_the_held_out_split(tmp_path: Path) -> None:
    """Critical recall >= 0.97, macro F1 >= 0.85, under 5% of lows called urgent, on the
    generated split: what the model learned of the generator (the real and hand-written
    figures above are the ones that say how it reads the world)."""
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
