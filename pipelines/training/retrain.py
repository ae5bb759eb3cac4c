"""The retraining pipeline: assemble, train a challenger, judge it beside the champion,
promote it or record why not, and keep a report of the run.

Also the first champion: a fresh install trains one from the shipped corpus the first
time anything asks for a model (well under a minute), so scoring never waits on a person.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
from sqlalchemy.orm import Session

from models.tables import utcnow
from models.urgency_models import TrainingRun, UrgencyModelVersion
from pipelines.training import registry
from pipelines.training.dataset import (
    Dataset,
    Prepared,
    assemble,
    correction_items,
    handwritten_eval_items,
    prepare,
    real_items,
)
from pipelines.training.evaluate import evaluate, predictions
from pipelines.training.promote import decide
from pipelines.training.report import confusion_png, precision_recall_png
from pipelines.training.train import code_version, fit_calibrated, new_version
from pipelines.urgency.model import UrgencyModel, write_atomically

Progress = Callable[[int, int, str], None]  # (step, of steps, what is starting)
STEPS = 6


def _quiet(step: int, total: int, message: str) -> None:
    """The default progress callback: say nothing."""


@dataclass(frozen=True)
class RetrainOutcome:
    run_id: int
    challenger: str
    champion: str | None
    promoted: bool
    decision: str
    challenger_metrics: dict[str, Any]
    champion_metrics: dict[str, Any] | None


def retrain(
    session: Session,
    model_dir: Path,
    *,
    trigger: str,
    promote_if_better: bool = True,
    progress: Progress = _quiet,
) -> RetrainOutcome:
    """One training run; the challenger is promoted only if `promote.decide` allows it."""
    run = TrainingRun(trigger=trigger, report={})
    session.add(run)
    session.flush()

    progress(1, STEPS, "assembling the dataset")
    dataset = assemble(correction_items(session))
    progress(2, STEPS, "preparing the evaluation sets")
    sets, real = evaluation_sets(dataset)
    progress(3, STEPS, "training and calibrating the challenger")
    challenger, calibration = fit_calibrated(dataset, new_version())
    progress(4, STEPS, "evaluating challenger and champion on the same sets")
    challenger_metrics = evaluate(challenger, sets, real)
    current = registry.champion(session)
    champion_metrics = evaluate(registry.load(model_dir, current), sets, real) if current else None
    if champion_metrics is None:
        better, why = True, "no champion yet"
    else:
        better, why = decide(champion_metrics, challenger_metrics)
    progress(5, STEPS, "writing the report")
    row = registry.register(
        session,
        challenger,
        model_dir,
        data_hash=dataset.data_hash,
        code_version=code_version(),
        training_rows=len(dataset.train),
        metrics=challenger_metrics,
    )
    _attach(
        run,
        _report(
            challenger,
            sets["handwritten"],
            challenger_metrics,
            champion_metrics,
            dataset.data_hash,
            calibration.report,
        ),
    )
    progress(6, STEPS, "deciding")
    promoted = better and promote_if_better
    if promoted:
        registry.promote(session, row)
    elif better:
        row.status = "candidate"
        why += "; kept as a candidate (run with --promote-if-better to promote)"
    run.challenger_version = challenger.version
    run.champion_version = current.version if current else None
    run.promoted = promoted
    run.decision = why
    run.finished_at = utcnow()
    session.flush()
    return RetrainOutcome(
        run.id, challenger.version, run.champion_version, promoted, why, challenger_metrics, champion_metrics
    )


@dataclass(frozen=True)
class Report:
    body: dict[str, Any]
    confusion_png: bytes
    pr_png: bytes


def evaluation_sets(dataset: Dataset) -> tuple[dict[str, Prepared], Prepared]:
    """What every model is judged on: the frozen hand-written set, the held-out split and
    the safety set, and the real comments for the page-rate budget."""
    sets = {
        "handwritten": prepare(handwritten_eval_items()),
        "held_out": prepare(dataset.held_out),
        "safety": prepare(dataset.safety),
    }
    return sets, prepare(real_items())


def _report(
    challenger: UrgencyModel,
    judged_on: Prepared,
    challenger_metrics: dict[str, Any],
    champion_metrics: dict[str, Any] | None,
    data_hash: str,
    calibration: dict[str, Any],
) -> Report:
    """The run's report; its figures lead with the real comments and the hand-written set."""
    _, _, probabilities = predictions(challenger, judged_on)
    title = f"{challenger.version}: hand-written set"
    return Report(
        body={
            "challenger": {
                "version": challenger.version,
                "metrics": challenger_metrics,
                "thresholds": challenger.thresholds,
                "calibration_split": calibration,
            },
            "champion": {"metrics": champion_metrics},
            "data_hash": data_hash,
            "code_version": code_version(),
        },
        confusion_png=confusion_png(challenger_metrics["handwritten"]["pipeline"]["confusion"], title),
        pr_png=precision_recall_png(judged_on.labels, probabilities, title),
    )


def _attach(run: TrainingRun, report: Report) -> None:
    run.report, run.confusion_png, run.pr_png = report.body, report.confusion_png, report.pr_png


@dataclass(frozen=True)
class Bootstrap:
    """The first champion, built outside any transaction (SQLite would stay locked)."""

    model: UrgencyModel
    metrics: dict[str, Any]
    data_hash: str
    training_rows: int
    report: Report


@lru_cache(maxsize=4)
def train_bootstrap(model_dir: Path) -> Bootstrap:
    """Deterministic: the version names the corpus and the code, so a saved artifact is
    reused, and so is its evaluation (judging on every real comment takes seconds, and
    each new database of every process asks for it)."""
    dataset = assemble([])
    version = f"bootstrap-{dataset.data_hash[:8]}-{code_version()[:6]}"
    path = registry.artifact_path(model_dir, version)
    judged = path.with_suffix(".evaluation.joblib")
    if path.exists() and judged.exists():
        metrics, report = joblib.load(judged)
        return Bootstrap(UrgencyModel.load(path), metrics, dataset.data_hash, len(dataset.train), report)
    bootstrap = _fit_bootstrap(version)
    bootstrap.model.save(path)
    buffer = io.BytesIO()
    joblib.dump((bootstrap.metrics, bootstrap.report), buffer)
    write_atomically(judged, buffer.getvalue())
    return bootstrap


@lru_cache(maxsize=1)
def _fit_bootstrap(version: str) -> Bootstrap:
    """Trained once per process whatever the model directory (tests use several)."""
    dataset = assemble([])
    model, fitted = fit_calibrated(dataset, version)
    sets, real = evaluation_sets(dataset)
    metrics = evaluate(model, sets, real)
    report = _report(model, sets["handwritten"], metrics, None, dataset.data_hash, fitted.report)
    return Bootstrap(model, metrics, dataset.data_hash, len(dataset.train), report)


def ensure_champion(
    session: Session, model_dir: Path, bootstrap: Bootstrap | None = None
) -> UrgencyModelVersion:
    """The champion; with none, register the bootstrap model (trained now if not given)."""
    current = registry.champion(session)
    if current is not None:
        return current
    bootstrap = bootstrap or train_bootstrap(model_dir)
    row = registry.find(session, bootstrap.model.version) or registry.register(
        session,
        bootstrap.model,
        model_dir,
        data_hash=bootstrap.data_hash,
        code_version=code_version(),
        training_rows=bootstrap.training_rows,
        metrics=bootstrap.metrics,
    )
    registry.promote(session, row)
    run = TrainingRun(
        trigger="bootstrap",
        finished_at=utcnow(),
        promoted=True,
        challenger_version=row.version,
        decision="first champion, trained on the shipped corpus",
    )
    _attach(run, bootstrap.report)
    session.add(run)
    session.flush()
    return row
