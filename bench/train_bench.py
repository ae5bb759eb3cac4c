"""Train the urgency model on 100,000 labeled rows and print the time and peak memory.

    .venv/bin/python bench/train_bench.py [--rows 100000]

Rows come from the corpus generator (every scenario, language, channel and noise kind),
drawn without deduplication, as a year of corrections would arrive. Timed: what a
retraining run does with them, features (local analysis, red-flag rules, hashing) and
the fit. Target: at most 120 s on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import time

from pipelines.training.dataset import LabeledItem, prepare
from pipelines.training.train import fit
from pipelines.urgency.corpus.generate import DRAWS_PER_LANGUAGE, _scenario_items


def labeled_rows(count: int) -> list[LabeledItem]:
    rng = random.Random(7)
    scale = count // (3 * sum(DRAWS_PER_LANGUAGE.values())) + 1
    draws = {level: n * scale for level, n in DRAWS_PER_LANGUAGE.items()}
    rows = [
        LabeledItem(item["text"], item["language"], item["rating"], item["channel"], item["urgency"])
        for _, item in _scenario_items(rng, draws)
    ]
    rng.shuffle(rows)
    return rows[:count]


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({model}), {memory:.1f} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rows = labeled_rows(args.rows)
    print(f"machine: {machine()}")
    start = time.perf_counter()
    data = prepare(rows)
    featured = time.perf_counter()
    model = fit(data, "bench")
    done = time.perf_counter()
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(f"rows: {len(rows)}  classes: {list(model.estimator.classes_)}")
    print(f"features (analysis, rules, hashing): {featured - start:.1f} s")
    print(f"fit: {done - featured:.1f} s")
    print(f"total: {done - start:.1f} s (target <= 120 s)")
    print(f"peak memory (max RSS): {peak / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
