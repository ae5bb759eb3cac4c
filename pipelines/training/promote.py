"""The promotion rule: a challenger replaces the champion only if it misses no more
critical items and loses at most a hundredth of macro F1.

Both are judged on the same held-out split (corpus test split plus the newest
corrections) and on the frozen safety set; critical recall is checked for the final
pipeline decision and for the model alone, since the rules can hide a model that
learned to ignore emergencies.
"""

from __future__ import annotations

from typing import Any

from pipelines.training.evaluate import critical_recall

MAX_MACRO_F1_DROP = 0.01
CHECKED = (("held_out", "pipeline"), ("safety", "pipeline"), ("held_out", "model"), ("safety", "model"))


def decide(champion: dict[str, Any], challenger: dict[str, Any]) -> tuple[bool, str]:
    """(promote?, why) from two `evaluate()` results over the same sets."""
    for split, view in CHECKED:
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
