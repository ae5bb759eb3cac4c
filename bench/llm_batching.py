"""Micro-batching of the Gemini stage under load: how many requests, and how long
items wait for theirs.

    .venv/bin/python bench/llm_batching.py --items 1000 --rate 50
    .venv/bin/python bench/llm_batching.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Starts a private Redis, the local fake of the Gemini API (answering in --latency
seconds), and a real `carepulse serve worker` for the llm queue only (so the figures
are the analysis stage's own) with GOOGLE_API_KEY set; publishes one chain per item (as
ingest does) at --rate items a second, and waits until every item is analyzed. Prints the number of Gemini requests
and, per item, the time from publishing to its Gemini request going out (an upper
bound of what batching adds: it also holds Celery's own delivery) and to its analysis.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carepulse.private_redis import start_redis  # noqa: E402
from models.db import make_engine, make_session_factory, session_scope  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from tests.fakes.gemini_server import prompt_items, running_fake  # noqa: E402

TEXTS = (
    "The nurses were wonderful, thank you",
    "We waited five hours and nobody told us anything",
    "La chambre était sale et le repas froid",
    "El médico fue muy amable y nos explicó todo",
)
MARK = re.compile(r"#(\d+)\b")
WORKER = (sys.executable, "-m", "carepulse.cli", "serve", "worker", "--queues", "llm")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _schema_sql(url: str, statement: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="items published per second")
    parser.add_argument("--latency", type=float, default=0.2, help="the fake's answer time, seconds")
    parser.add_argument("--concurrency", type=int, default=4, help="worker pool processes")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--wait-ms", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="carepulse-bench-llm-"))
    redis_process, redis_url = start_redis(tmp / "redis")
    database_url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    schema = f"bench_llm_{os.getpid()}" if database_url.startswith("postgresql") else None
    if schema:
        _schema_sql(args.database_url, f'CREATE SCHEMA "{schema}"')
        database_url += f"{'&' if '?' in database_url else '?'}options=-csearch_path%3D{schema}"
    upgrade(database_url)
    os.environ.update(REDIS_URL=redis_url, DATABASE_URL=database_url, CAREPULSE_VAR_DIR=str(tmp))

    from sqlalchemy import func, select

    from models.tables import Analysis, Feedback
    from workers.app import app
    from workers.chains import CeleryPublisher

    sessions = make_session_factory(make_engine(database_url))
    worker = None
    try:
        with running_fake(latency=args.latency) as fake:
            env = dict(
                os.environ,
                GOOGLE_API_KEY="bench",
                GEMINI_BASE_URL=fake.url,
                GEMINI_BATCH_SIZE=str(args.batch_size),
                GEMINI_BATCH_WAIT_MS=str(args.wait_ms),
                GEMINI_DAILY_TOKEN_BUDGET="0",
            )
            worker = subprocess.Popen(
                [*WORKER, "--concurrency", str(args.concurrency)],
                env=env,
                cwd=ROOT,
                stdout=(tmp / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.time() + 60
            while not app.control.ping(timeout=0.5):
                if time.time() > deadline:
                    raise SystemExit(f"worker did not start; see {tmp / 'worker.log'}")
            with session_scope(sessions) as session:
                items = [
                    Feedback(channel="kiosk", text=f"{TEXTS[i % len(TEXTS)]} #{i}") for i in range(args.items)
                ]
                session.add_all(items)
                session.flush()
                ids = [item.id for item in items]
            publisher = CeleryPublisher()
            published: dict[str, float] = {}
            started = time.time()
            for n, fid in enumerate(ids):
                pause = started + n / args.rate - time.time()
                if pause > 0:
                    time.sleep(pause)
                published[fid] = time.time()
                publisher.publish([fid])
            while True:
                with sessions() as session:
                    done = session.scalar(select(func.count()).select_from(Analysis))
                if done >= args.items:
                    break
                if time.time() - started > 600:
                    raise SystemExit(f"only {done} of {args.items} items analyzed after 600 s")
                time.sleep(0.2)
            finished = time.time()
            with sessions() as session:
                analyzed = dict(session.execute(select(Analysis.feedback_id, Analysis.created_at)).all())
                by = dict(
                    session.execute(select(Analysis.analyzer, func.count()).group_by(Analysis.analyzer)).all()
                )
            index = {i: fid for i, fid in enumerate(ids)}
            sent_at: dict[str, float] = {}
            for request, arrival in zip(fake.requests, fake.arrivals, strict=True):
                for item in prompt_items(request):
                    fid = index[int(MARK.search(item["text"]).group(1))]
                    sent_at.setdefault(fid, arrival)
            before_call = [sent_at[fid] - published[fid] for fid in ids if fid in sent_at]
            to_analysis = [
                (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp() - published[fid]
                for fid, at in analyzed.items()
            ]
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        redis_process.terminate()
        redis_process.wait(timeout=10)
        if schema:
            _schema_sql(args.database_url, f'DROP SCHEMA "{schema}" CASCADE')

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    )
    print(
        f"database: {database_url.split(':', 1)[0]}; worker concurrency {args.concurrency}; "
        f"batch size {args.batch_size}, longest wait {args.wait_ms} ms; fake latency {args.latency * 1000:.0f} ms"
    )
    print(f"{args.items} items published at {args.rate:g}/s, all analyzed after {finished - started:.1f} s")
    print(f"analyzers: {by}")
    print(
        f"Gemini requests: {len(fake.requests)} for {fake.items_sent()} items "
        f"({fake.items_sent() / max(1, len(fake.requests)):.1f} items per request)"
    )
    print(
        "publish -> Gemini request: "
        f"p50 {statistics.median(before_call):.3f} s, p95 {percentile(before_call, 0.95):.3f} s, "
        f"max {max(before_call):.3f} s"
    )
    print(
        "publish -> analysis stored: "
        f"p50 {statistics.median(to_analysis):.3f} s, p95 {percentile(to_analysis, 0.95):.3f} s, "
        f"max {max(to_analysis):.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
