"""Ablation: does anything but the words drive a critical call?

Scores the frozen hand-written set and the real comments as the pipeline does (local
analyzer, rules, the bootstrap model), then again with one input changed for every item:
the channel, the star rating, the text removed, or neutral sentences added to lengthen it.
A call that flips with the channel or the rating alone, or an empty or long benign text
called critical, would mean the model learned something other than the situation.

    .venv/bin/python bench/urgency_ablation.py
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipelines.training.dataset import assemble
from pipelines.training.reference import pipeline_scorer, real_comment_lines
from pipelines.training.train import fit_calibrated
from pipelines.urgency.corpus import HANDWRITTEN_EVAL, read_jsonl

Line = dict[str, Any]
PADDING = " The parking was fine. The signs were clear. We had a cup of tea while we waited."


def main() -> None:
    model = fit_calibrated(assemble([]), "ablation")[0]
    scorer = pipeline_scorer(model)

    def levels(lines: list[Line]) -> list[str]:
        return [scorer(line).level for line in lines]

    written = read_jsonl(HANDWRITTEN_EVAL)
    real = [line for line, _ in real_comment_lines()]
    variants: list[tuple[str, Callable[[Line], Line]]] = [
        *(
            (f"channel = {name}", lambda line, name=name: {**line, "channel": name})
            for name in ("kiosk", "sms", "survey", "voice")
        ),
        *(
            (f"rating = {stars}", lambda line, stars=stars: {**line, "rating": stars})
            for stars in (None, 1, 5)
        ),
        (
            "lengthened with neutral sentences",
            lambda line: {**line, "text": (line.get("text") or "") + PADDING * 3},
        ),
    ]
    for name, lines in (("hand-written set", written), ("real comments", real)):
        base = levels(lines)
        critical = sum(level == "critical" for level in base)
        print(f"\n{name}: {len(lines)} items, {critical} called critical as written")
        print(f"{'variant':<36}{'critical':>10}{'new critical':>14}{'lost critical':>15}")
        for label, change in variants:
            changed = levels([change(line) for line in lines])
            gained = sum(a != "critical" and b == "critical" for a, b in zip(base, changed, strict=True))
            lost = sum(a == "critical" and b != "critical" for a, b in zip(base, changed, strict=True))
            total = sum(level == "critical" for level in changed)
            print(f"{label:<36}{total:>10}{gained:>14}{lost:>15}")
    empty = levels([{"text": None, "rating": stars, "channel": "kiosk"} for stars in (1, 2, 3, 4, 5)])
    emoji = levels([{"text": face, "rating": 1, "channel": "kiosk"} for face in ("😡", "😢", "😐", "🙂")])
    print(f"\nno text, ratings 1-5: {empty}; emoji only with one star: {emoji}")


if __name__ == "__main__":
    main()
