"""Latency of scoring one text the way the scoring stage does: local analysis, red-flag
rules and the urgency model, one text at a time. Prints p50/p95/p99 and the machine.

    .venv/bin/python bench/score_latency.py [--repeat 3]

Target: p99 under 5 ms. Texts: the held-out test split (every language and channel).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from train_bench import machine  # the sibling script (bench/ is on sys.path when run)

from pipelines.analysis.local import LocalAnalyzer
from pipelines.training.dataset import assemble, prepare
from pipelines.training.train import fit
from pipelines.urgency.corpus import load_split
from pipelines.urgency.offline import score_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = fit(prepare(assemble([]).train), "bench")
    analyzer = LocalAnalyzer()
    rows = load_split("test")
    for row in rows[:50]:  # warm up: first-call caches
        score_text(analyzer, model, row["text"], language=row["language"], rating=row["rating"])
    timings, cpu = [], []
    for _ in range(args.repeat):
        for row in rows:
            start, start_cpu = time.perf_counter(), time.thread_time()
            score_text(
                analyzer,
                model,
                row["text"],
                language=row["language"],
                rating=row["rating"],
                channel=row["channel"],
            )
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    print(f"texts scored: {len(timings)} (one at a time)")
    for name, values in (("wall", timings), ("cpu", cpu)):
        cuts = statistics.quantiles(values, n=100)
        print(
            f"{name}: p50 {cuts[49]:.2f} ms  p95 {cuts[94]:.2f} ms  p99 {cuts[98]:.2f} ms  max {max(values):.2f} ms"
        )
    print("target: p99 < 5 ms (wall time includes waiting for a core when the machine is busy)")


if __name__ == "__main__":
    main()
