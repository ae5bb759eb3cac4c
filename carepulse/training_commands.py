"""What `carepulse evaluate`, `retrain` and `models` do (parsers: `carepulse.training_cli`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory, session_scope
from models.settings import Settings, load_settings
from models.urgency_models import TrainingRun
from pipelines.training import registry
from pipelines.training.dataset import assemble
from pipelines.training.evaluate import REPORT_LEVELS, critical_recall
from pipelines.training.reference import labeled_metrics, markdown, pipeline_scorer, reference, score_lines
from pipelines.training.retrain import retrain
from pipelines.training.serving import ensure_first_champion as first_champion
from pipelines.training.train import fit_calibrated
from pipelines.urgency.corpus import read_jsonl
from pipelines.urgency.model import UrgencyModel

BAR_WIDTH = 30


def _sessions(settings: Settings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.database_url))


def _champion_or_bootstrap(settings: Settings) -> UrgencyModel:
    """The registry's champion; with no usable database, the bootstrap model in memory."""
    sessions = _sessions(settings)
    try:
        first_champion(sessions, settings.urgency_model_dir)
        with sessions() as session:
            row = registry.champion(session)
            assert row is not None
            return registry.load(settings.urgency_model_dir, row)
    except SQLAlchemyError as exc:
        print(f"no model registry ({type(exc).__name__}); using the bootstrap model", file=sys.stderr)
        return fit_calibrated(assemble([]), "bootstrap-unregistered")[0]


def ensure_first_champion(settings: Settings) -> str:
    """After migrations: a fresh database gets the bootstrap model now, not on the first alert."""
    return first_champion(_sessions(settings), settings.urgency_model_dir)


def evaluate_command(args: argparse.Namespace) -> int:
    """A labeled file's metrics; without a file, the reference sets (real comments first)."""
    settings = load_settings()
    model = _champion_or_bootstrap(settings)
    scorer = pipeline_scorer(model)
    if args.file is None:
        results = reference(scorer)
        if args.report:
            Path(args.report).write_text(markdown(results, model.version), encoding="utf-8")
        if args.json:
            print(json.dumps({**results, "model_version": model.version}))
        else:
            print(markdown(results, model.version).split("\n## Every real comment")[0])
        return 0
    scored = score_lines(read_jsonl(Path(args.file)), scorer)
    metrics = labeled_metrics(scored)
    metrics["model_version"] = model.version
    if args.predictions:
        with Path(args.predictions).open("w", encoding="utf-8") as handle:
            for item in scored:
                row = {
                    **item.line,
                    "predicted": item.result.level,
                    "score": item.result.score,
                    "reasons": list(item.result.reasons),
                }
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(metrics))
    else:
        _print_metrics(metrics)
    return 0


def _print_metrics(metrics: dict[str, Any]) -> None:
    print(f"{metrics['n']} items ({metrics['labeled']} labeled), model {metrics['model_version']}")
    print(f"{'level':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}{'called':>10}")
    for level, row in metrics["per_level"].items():
        print(
            f"{level:<10}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>10}"
            f"{metrics['predicted_share'][level]:>10.1%}"
        )
    print(f"macro F1: {metrics['macro_f1']:.3f}")
    recall = ", ".join(
        f"{lang} {value:.3f}" for lang, value in metrics["critical_recall_by_language"].items()
    )
    print(f"critical recall by language: {recall or '-'}")
    print(f"low items called critical or high: {metrics['low_called_urgent']:.1%}")
    print("confusion (rows: labeled, columns: predicted)")
    print(" " * 10 + "".join(f"{level:>10}" for level in REPORT_LEVELS))
    for level, row in metrics["confusion"].items():
        print(f"{level:<10}" + "".join(f"{row[p]:>10}" for p in REPORT_LEVELS))


def _progress(step: int, total: int, message: str) -> None:
    done = BAR_WIDTH * step // total
    print(f"\r[{'#' * done}{'.' * (BAR_WIDTH - done)}] {step}/{total} {message:<60}", end="", file=sys.stderr)
    if step == total:
        print(file=sys.stderr)


def retrain_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    sessions = _sessions(settings)
    first_champion(sessions, settings.urgency_model_dir)
    with session_scope(sessions) as session:
        outcome = retrain(
            session,
            settings.urgency_model_dir,
            trigger="command",
            promote_if_better=args.promote_if_better,
            progress=_progress,
        )
    rows = [("", f"champion {outcome.champion or '-'}", f"challenger {outcome.challenger}")]
    for label, split, view, key in (
        ("held-out macro F1", "held_out", "pipeline", "macro_f1"),
        ("held-out critical recall", "held_out", "pipeline", None),
        ("held-out critical recall (model)", "held_out", "model", None),
        ("safety critical recall", "safety", "pipeline", None),
        ("safety critical recall (model)", "safety", "model", None),
        ("held-out lows called urgent", "held_out", "pipeline", "low_called_urgent"),
    ):
        values = []
        for metrics in (outcome.champion_metrics, outcome.challenger_metrics):
            if metrics is None:
                values.append("-")
                continue
            view_metrics = metrics[split][view]
            values.append(f"{view_metrics[key] if key else critical_recall(view_metrics):.3f}")
        rows.append((label, *values))
    for label, champion, challenger in rows:
        print(f"{label:<34}{champion:>40}{challenger:>44}")
    print(f"run {outcome.run_id}: {'PROMOTED' if outcome.promoted else 'not promoted'}: {outcome.decision}")
    return 0


def models_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    with session_scope(_sessions(settings)) as session:
        if args.action == "list":
            _list_versions(session)
        elif args.action == "rollback":
            try:
                row = registry.rollback(session, args.version)
            except registry.RegistryError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"champion is now {row.version}; workers switch within {settings.model_refresh_seconds} s")
        else:
            return _report(session, args.run, Path(args.out) if args.out else settings.var_dir / "reports")
    return 0


def _list_versions(session: Any) -> None:
    print(f"{'version':<36}{'status':<11}{'rows':>7}{'macro F1':>10}{'crit rec':>10}  promoted_at")
    for row in registry.versions(session):
        held_out = (row.metrics or {}).get("held_out", {}).get("pipeline")
        f1 = f"{held_out['macro_f1']:.3f}" if held_out else "-"
        recall = f"{critical_recall(held_out):.3f}" if held_out else "-"
        promoted = row.promoted_at.isoformat(timespec="seconds") if row.promoted_at else "-"
        print(f"{row.version:<36}{row.status:<11}{row.training_rows:>7}{f1:>10}{recall:>10}  {promoted}")


def _report(session: Any, run_id: int | None, out_dir: Path) -> int:
    query = select(TrainingRun).order_by(TrainingRun.id.desc()).limit(1)
    run = session.get(TrainingRun, run_id) if run_id else session.scalar(query)
    if run is None:
        print("error: no such training run", file=sys.stderr)
        return 2
    target = out_dir / f"run-{run.id}"
    target.mkdir(parents=True, exist_ok=True)
    summary = {
        "run": run.id,
        "trigger": run.trigger,
        "started_at": run.started_at.isoformat(),
        "challenger": run.challenger_version,
        "champion": run.champion_version,
        "promoted": run.promoted,
        "decision": run.decision,
        "report": run.report,
    }
    (target / "metrics.json").write_text(json.dumps(summary, indent=2))
    for name, image in (("confusion.png", run.confusion_png), ("precision_recall.png", run.pr_png)):
        if image:
            (target / name).write_bytes(image)
    print(
        json.dumps({key: summary[key] for key in ("run", "challenger", "champion", "promoted", "decision")})
    )
    print(f"report written to {target}/ (metrics.json, confusion.png, precision_recall.png)")
    return 0
