"""Metrics of urgency decisions, the same for `carepulse evaluate` and for promotion.

"Pipeline" metrics judge the final level (rules, hint and model together, as the
scoring stage decides); "model" metrics judge the model alone, which is where a
poisoned retraining shows even when the rules still cover for it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from pipelines.training.dataset import Prepared
from pipelines.urgency.model import UrgencyModel
from pipelines.urgency.rules import LEVELS, capped, max_level

REPORT_LEVELS = tuple(reversed(LEVELS))  # critical first, as staff read them


def level_metrics(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Per-level precision/recall/F1, macro F1, the confusion matrix, and false alarms on lows."""
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(REPORT_LEVELS), zero_division=0
    )
    matrix = confusion_matrix(truth, predicted, labels=list(REPORT_LEVELS))
    lows = [p for t, p in zip(truth, predicted, strict=True) if t == "low"]
    present = [i for i, n in enumerate(support) if n]
    return {
        "n": len(truth),
        "macro_f1": round(float(np.mean([f1[i] for i in present])) if present else 0.0, 4),
        "per_level": {
            level: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, level in enumerate(REPORT_LEVELS)
        },
        "confusion": {
            true: {pred: int(matrix[i][j]) for j, pred in enumerate(REPORT_LEVELS)}
            for i, true in enumerate(REPORT_LEVELS)
        },
        "low_called_urgent": round(sum(p in ("critical", "high") for p in lows) / len(lows), 4)
        if lows
        else 0.0,
    }


def predictions(model: UrgencyModel, data: Prepared) -> tuple[list[str], list[str], np.ndarray]:
    """(pipeline levels, model-only levels, model probabilities) for every item."""
    verdicts = model.predict(data.features)
    learned = [verdict.level for verdict in verdicts]
    final = [
        max_level(floor, capped(level, ceiling))
        for floor, level, ceiling in zip(data.floors, learned, data.ceilings, strict=True)
    ]
    probabilities = np.array([[v.probabilities[level] for level in LEVELS] for v in verdicts])
    return final, learned, probabilities


def evaluate(model: UrgencyModel, sets: dict[str, Prepared], real: Prepared | None = None) -> dict[str, Any]:
    """{"held_out": {"pipeline": ..., "model": ...}, "safety": {...}, ...} for one model,
    plus "real_comments" (`page_rates`) when real comments are given."""
    out: dict[str, Any] = {}
    for name, data in sets.items():
        final, learned, _ = predictions(model, data)
        out[name] = {
            "pipeline": level_metrics(data.labels, final),
            "model": level_metrics(data.labels, learned),
        }
    if real is not None:
        out["real_comments"] = page_rates(predictions(model, real)[0], real.praise)
    return out


def page_rates(levels: list[str], praise: list[bool]) -> dict[str, float]:
    """How often real comments are called critical, and praise critical or high."""
    praised = [level for level, flag in zip(levels, praise, strict=True) if flag]
    return {
        "n": len(levels),
        "critical": round(sum(level == "critical" for level in levels) / len(levels), 4) if levels else 0.0,
        "praise_urgent": round(sum(level in ("critical", "high") for level in praised) / len(praised), 4)
        if praised
        else 0.0,
    }


def critical_recall(metrics: dict[str, Any]) -> float:
    return metrics["per_level"]["critical"]["recall"]
