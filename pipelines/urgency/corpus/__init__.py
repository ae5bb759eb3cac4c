"""The urgency corpus (see GUIDELINE.md): generated splits and hand-written sets.

Generated: `train.jsonl` trains, `test.jsonl` is held out (training never reads it) and
`safety.jsonl` is the frozen set a challenger must not miss more of than the champion.
Regenerate with `python -m pipelines.urgency.corpus.generate` (deterministic). They show
how well the model learned the generator, not the world.

Hand-written (HANDWRITTEN.md): `handwritten_train*.jsonl` train and tune; the frozen
`handwritten_eval.jsonl` judges, and training never reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).parent
SPLITS = ("train", "test", "safety")


def split_path(name: str) -> Path:
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; one of {', '.join(SPLITS)}")
    return CORPUS_DIR / f"{name}.jsonl"


HANDWRITTEN_EVAL = CORPUS_DIR / "handwritten_eval.jsonl"


def handwritten_train_paths() -> list[Path]:
    return sorted(CORPUS_DIR.glob("handwritten_train*.jsonl"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_split(name: str) -> list[dict[str, Any]]:
    return read_jsonl(split_path(name))
