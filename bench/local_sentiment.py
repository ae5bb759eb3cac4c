"""How well the local analyzer reads sentiment: agreement with the project's labeled
texts per language (targets: English 85 %, French and Spanish 75 %).

    .venv/bin/python bench/local_sentiment.py
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.analysis.agreement import sentiment_agreement
from pipelines.analysis.local import LocalAnalyzer

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sentiment"
TARGETS = {"en": 0.85, "fr": 0.75, "es": 0.75}


def main() -> int:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    analyzer = LocalAnalyzer()
    failed = False
    for name in ("labeled.jsonl", "heldout.jsonl"):
        started = time.perf_counter()
        results = sentiment_agreement(analyzer, FIXTURES / name)
        elapsed = time.perf_counter() - started
        n = sum(r.total for r in results.values())
        print(f"{name}: {n} texts in {elapsed * 1000:.0f} ms")
        for lang, result in sorted(results.items()):
            ok = result.rate >= TARGETS[lang]
            failed |= not ok
            print(
                f"  {lang}: {result.agreed}/{result.total} = {result.rate:.1%} "
                f"(target {TARGETS[lang]:.0%}) {'ok' if ok else 'BELOW TARGET'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
