"""Calibrate the urgency model on realistic rows and choose its thresholds for budgets.

The classifier is fitted on a mix that is far richer in emergencies than real traffic,
so its raw probabilities mean little. On the calibration split (rows the first fit did
not see: real comments and everyday French and Spanish ones for the everyday side,
hand-written feedback for the urgent one)
each cumulative probability P(level or worse) is Platt-scaled, and each threshold is
the lowest one (most emergencies caught) that keeps the false alarms the model adds to
the rules' within its budget:

* critical: the model raises at most REAL_CRITICAL_BUDGET of real comments and
  LOW_CRITICAL_BUDGET of hand-written low items to critical;
* high: it raises at most PRAISE_URGENT_BUDGET of real praise and everyday low comments,
  and LOW_URGENT_BUDGET of hand-written low items, to critical or high;
* medium: the threshold that best separates medium from low (macro F1).

The rules' own calls are measured, not budgeted here: they are the same for every model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logit
from sklearn.linear_model import LogisticRegression

from pipelines.training.dataset import EVERYDAY_SOURCES, Prepared
from pipelines.training.evaluate import level_metrics
from pipelines.urgency.model import URGENT_LEVELS, Platt, UrgencyModel
from pipelines.urgency.rules import LEVELS, capped, level_rank, max_level

REAL_CRITICAL_BUDGET = 0.0025
LOW_CRITICAL_BUDGET = 0.02
PRAISE_URGENT_BUDGET = 0.0025
LOW_URGENT_BUDGET = 0.03
GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


@dataclass(frozen=True)
class Calibration:
    calibration: dict[str, Platt]
    thresholds: dict[str, float]
    report: dict[str, Any]  # what the chosen thresholds give on the calibration split


def _platt(raw_at_least: np.ndarray, reached: np.ndarray) -> Platt | None:
    if reached.all() or not reached.any():
        return None
    x = logit(np.clip(raw_at_least, 1e-6, 1 - 1e-6)).reshape(-1, 1)
    fitted = LogisticRegression(C=1e4).fit(x, reached)
    return float(fitted.coef_[0][0]), float(fitted.intercept_[0])


def _levels(
    model: UrgencyModel, at_least: np.ndarray, held: Prepared, thresholds: dict[str, float]
) -> list[str]:
    """The pipeline's levels (rules, ceiling and model) under `thresholds`."""
    model.thresholds = thresholds
    return [
        max_level(floor, capped(model.level_for(row), ceiling))
        for row, floor, ceiling in zip(at_least, held.floors, held.ceilings, strict=True)
    ]


def _share(levels: list[str], mask: np.ndarray, at_least_level: str) -> float:
    """The share of the masked rows called `at_least_level` or worse."""
    picked = [lvl for lvl, keep in zip(levels, mask, strict=True) if keep]
    if not picked:
        return 0.0
    return sum(level_rank(lvl) >= level_rank(at_least_level) for lvl in picked) / len(picked)


def _raised(levels: list[str], held: Prepared, mask: np.ndarray, at_least_level: str) -> float:
    """The share of the masked rows that the model, not the rules, brought to `at_least_level`."""
    below = np.array([level_rank(floor) < level_rank(at_least_level) for floor in held.floors])
    return _share(levels, mask & below, at_least_level) * (mask & below).sum() / max(1, mask.sum())


def _lowest(candidates: np.ndarray, fits) -> float:
    """The lowest threshold that keeps within budget; the highest of the grid if none does."""
    return float(next((t for t in candidates if fits(t)), candidates[-1]))


def calibrate(model: UrgencyModel, held: Prepared, sources: list[str]) -> Calibration:
    """Fit the calibration of `model` and its thresholds on `held` (sources per row:
    everyday traffic, "real" or "everyday", or "handwritten" feedback rich in emergencies)."""
    raw = model.probabilities(held.features)
    raw_at_least = np.cumsum(raw[:, ::-1], axis=1)[:, ::-1]
    ranks = np.array([level_rank(label) for label in held.labels])
    platts = {
        level: platt
        for level in URGENT_LEVELS
        if (platt := _platt(raw_at_least[:, LEVELS.index(level)], ranks >= level_rank(level))) is not None
    }
    model.calibration = platts
    at_least = model.at_least(raw)
    real = np.array([source in EVERYDAY_SOURCES for source in sources])
    written = ~real
    lows = written & (ranks == 0)
    # Praise among real comments, and everyday comments labeled low: never urgent.
    calm = np.array(held.praise) | (
        real & (ranks == 0) & np.array([source == "everyday" for source in sources])
    )
    never = 1.01  # a threshold no probability reaches

    def within(
        thresholds: dict[str, float], level: str, budgets: tuple[tuple[np.ndarray, float], ...]
    ) -> bool:
        levels = _levels(model, at_least, held, thresholds)
        return all(_raised(levels, held, mask, level) <= budget for mask, budget in budgets)

    critical_budgets = ((real, REAL_CRITICAL_BUDGET), (lows, LOW_CRITICAL_BUDGET))
    critical = _lowest(
        GRID, lambda t: within({"critical": t, "high": never, "medium": never}, "critical", critical_budgets)
    )
    high_budgets = ((calm, PRAISE_URGENT_BUDGET), (lows, LOW_URGENT_BUDGET))
    high = _lowest(
        GRID, lambda t: within({"critical": critical, "high": t, "medium": never}, "high", high_budgets)
    )
    labels = [label for label, keep in zip(held.labels, written, strict=True) if keep]

    def macro_f1(t: float) -> float:
        levels = _levels(model, at_least, held, {"critical": critical, "high": high, "medium": t})
        return level_metrics(labels, [lvl for lvl, keep in zip(levels, written, strict=True) if keep])[
            "macro_f1"
        ]

    medium = float(max(GRID, key=macro_f1))
    thresholds = {"critical": critical, "high": high, "medium": medium}
    levels = _levels(model, at_least, held, thresholds)
    written_levels = [lvl for lvl, keep in zip(levels, written, strict=True) if keep]
    return Calibration(
        platts,
        thresholds,
        {
            "rows": {"real": int(real.sum()), "handwritten": int(written.sum())},
            "real_called_critical": round(_share(levels, real, "critical"), 4),
            "real_called_critical_or_high": round(_share(levels, real, "high"), 4),
            "praise_called_critical_or_high": round(_share(levels, calm, "high"), 4),
            "handwritten": level_metrics(labels, written_levels),
            "budgets": {
                "real_critical": REAL_CRITICAL_BUDGET,
                "low_critical": LOW_CRITICAL_BUDGET,
                "praise_urgent": PRAISE_URGENT_BUDGET,
                "low_urgent": LOW_URGENT_BUDGET,
            },
        },
    )
