"""The parsers of `carepulse evaluate`, `retrain` and `models list|rollback|report`.

The handlers import scikit-learn and matplotlib only when one of these commands runs,
so `carepulse keys` and `serve` start as fast as before.
"""

from __future__ import annotations

import argparse
from typing import Any


def _evaluate(args: argparse.Namespace) -> int:
    from carepulse.training_commands import evaluate_command

    return evaluate_command(args)


def _retrain(args: argparse.Namespace) -> int:
    from carepulse.training_commands import retrain_command

    return retrain_command(args)


def _models(args: argparse.Namespace) -> int:
    from carepulse.training_commands import models_command

    return models_command(args)


def add_commands(commands: Any) -> None:
    """Register the commands on the `carepulse` parser's subparsers."""
    evaluate = commands.add_parser(
        "evaluate",
        help="score a labeled JSONL file and print metrics; without a file, the reference sets "
        "(real comments, the hand-written set, the generated split)",
    )
    evaluate.add_argument("file", nargs="?")
    evaluate.add_argument(
        "--report", metavar="OUT.md", help="without a file: also write the report with every critical call"
    )
    evaluate.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    evaluate.add_argument(
        "--predictions", metavar="OUT.jsonl", help="also write each line with its prediction"
    )
    evaluate.set_defaults(handler=_evaluate)

    retrain = commands.add_parser("retrain", help="run the retraining pipeline now")
    retrain.add_argument(
        "--promote-if-better", action="store_true", help="promote the challenger if it passes"
    )
    retrain.set_defaults(handler=_retrain)

    models = commands.add_parser("models", help="the urgency model registry")
    actions = models.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every version, newest first").set_defaults(handler=_models)
    rollback = actions.add_parser("rollback", help="make an earlier version the champion again")
    rollback.add_argument("version", nargs="?", help="default: the previous champion")
    rollback.set_defaults(handler=_models)
    report = actions.add_parser("report", help="write a training run's metrics and images")
    report.add_argument("run", nargs="?", type=int, help="default: the latest run")
    report.add_argument("--out", help="directory (default: CAREPULSE_VAR_DIR/reports)")
    report.set_defaults(handler=_models)
