"""The promotion rule: a challenger replaces the champion only if it pages on real
comments within budget, misses no more critical items and loses at most a hundredth of
macro F1.

Judged on real patient comments (at most REAL_PAGE_BUDGET called critical, and of their
praise at most REAL_PAGE_BUDGET called critical or high), on the frozen hand-written
set, on the held-out split (corpus test split plus the newest corrections) and on the
frozen safety set; critical recall is checked for the final pipeline decision and, on
the generated sets, for the model alone, since the rules can hide a model that learned
to ignore emergencies.
"""

from __future__ import annotations

from typing import Any

from pipelines.training.evaluate import critical_recall

MAX_MACRO_F1_DROP = 0.01
REAL_PAGE_BUDGET = 0.005
CHECKED = (
    ("handwritten", "pipeline"),
    ("held_out", "pipeline"),
    ("safety", "pipeline"),
    ("held_out", "model"),
    ("safety", "model"),
)


def decide(champion: dict[str, Any], challenger: dict[str, Any]) -> tuple[bool, str]:
    """(promote?, why) from two `evaluate()` results over the same sets."""
    real = challenger.get("real_comments")
    if real and real["critical"] > REAL_PAGE_BUDGET:
        return (
            False,
            f"{real['critical']:.2%} of real comments would be called critical (budget {REAL_PAGE_BUDGET:.1%})",
        )
    if real and real["praise_urgent"] > REAL_PAGE_BUDGET:
        return False, (
            f"{real['praise_urgent']:.2%} of real praise would be called critical or high "
            f"(budget {REAL_PAGE_BUDGET:.1%})"
        )
    for split, view in CHECKED:
        if split not in champion or split not in challenger:
            continue
        before, after = critical_recall(champion[split][view]), critical_recall(challenger[split][view])
        if after < before:
            return False, f"critical recall ({view}, {split}) would drop from {before:.3f} to {after:.3f}"
    before, after = (
        champion["held_out"]["pipeline"]["macro_f1"],
        challenger["held_out"]["pipeline"]["macro_f1"],
    )
    if after < before - MAX_MACRO_F1_DROP:
        return False, f"macro F1 on the held-out split would fall from {before:.3f} to {after:.3f}"
    return True, f"critical recall kept; held-out macro F1 {before:.3f} -> {after:.3f}"
