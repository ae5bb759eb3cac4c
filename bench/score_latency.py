"""Latency of scoring one text the way the scoring stage does: local analysis, red-flag
rules and the urgency model, one text at a time. Prints p50/p95/p99 and the machine.

    .venv/bin/python bench/score_latency.py [--repeat 3]

Target: p99 under 5 ms. Texts: the generated test split, the hand-written evaluation set
and 2,000 real patient comments (the long ones set the p99), every language and channel.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from train_bench import machine  # the sibling script (bench/ is on sys.path when run)

from pipelines.analysis.local import LocalAnalyzer
from pipelines.training.dataset import assemble
from pipelines.training.reference import real_comment_lines
from pipelines.training.train import fit_calibrated
from pipelines.urgency.corpus import HANDWRITTEN_EVAL, load_split, read_jsonl
from pipelines.urgency.offline import score_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = fit_calibrated(assemble([]), "bench")[0]
    analyzer = LocalAnalyzer()
    real = [line for line, _ in real_comment_lines()[::5][:2000]]
    rows = load_split("test") + read_jsonl(HANDWRITTEN_EVAL) + real
    for row in rows[:50]:  # warm up: first-call caches
        score_text(analyzer, model, row["text"], language=row["language"], rating=row.get("rating"))
    timings, cpu = [], []
    for _ in range(args.repeat):
        for row in rows:
            start, start_cpu = time.perf_counter(), time.thread_time()
            score_text(
                analyzer,
                model,
                row["text"],
                language=row.get("language"),
                rating=row.get("rating"),
                channel=row.get("channel"),
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
