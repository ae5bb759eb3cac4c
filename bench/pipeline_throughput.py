"""Items per second from a kiosk POST to `status = analyzed` with the offline analyzer,
and the CPU milliseconds each stage spends per item, against the 300 items/s target.

    .venv/bin/python bench/pipeline_throughput.py --mode steady --rate 350 --seconds 60
    .venv/bin/python bench/pipeline_throughput.py --mode backlog --items 50000

Runs the production roles as `carepulse serve` runs them (gunicorn ingest, Celery
workers, beat for the outbox sweep) on a PostgreSQL schema of its own and a Redis
database it flushes, without GOOGLE_API_KEY. Texts are the urgency corpus and the
sentiment fixtures (en, fr, es), ~5 % of them tripping a red flag (the fast lane).

* steady: posts on an open-loop schedule at --rate for --seconds, then waits until every
  item is analyzed; items/s is the items over the time from the first POST to the last
  decision, so a pipeline that falls behind the rate shows below it.
* backlog: with no worker running, queues --items items through ingest (it publishes
  their chains to Redis) or, with --queue-via relay, through an ingest whose broker is
  down (the outbox keeps them and the relay publishes chains of 50 once beat runs);
  then starts the workers and measures the drain rate.

--post single sends one item per POST /v1/feedback; --post batch sends --batch-size
items per POST /v1/feedback/batch (a kiosk's offline sync, one chain per 50 items).

CPU per stage: with --layout per-queue (the default) each stage's queue has a worker of
its own, and a stage's CPU is its worker's process group (Celery's share included);
with --layout shared (relay,asr,llm,scoring in one worker, notify in another, as
bench/alert_latency.py runs them) it is the task run times the workers log (wall time
of the task body, so it includes waits on PostgreSQL), divided by the items.
Exits non-zero when an item is lost or analyzed twice, or the rate is below --target.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis
from sqlalchemy import Engine, create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import cpu_by_name, cpu_report, flushed_redis, fresh_schema, machine, percentile  # noqa: E402
from carepulse.private_redis import free_port  # noqa: E402
from models.dead_letters import DeadLetter  # noqa: E402
from models.tables import Analysis, Feedback, OutboxEntry, UrgencyDecision  # noqa: E402
from pipelines.urgency.rules import needs_fast_lane  # noqa: E402
from tests.support.processes import Role, create_key_by_cli, run_cli, wait_healthy  # noqa: E402

CORPORA = (
    ROOT / "pipelines/urgency/corpus/train.jsonl",
    ROOT / "pipelines/urgency/corpus/test.jsonl",
    ROOT / "tests/fixtures/sentiment/labeled.jsonl",
    ROOT / "tests/fixtures/sentiment/heldout.jsonl",
)
DEPARTMENTS = ("ER", "cardiology", "maternity", "oncology", "pediatrics")
STAGE_QUEUES = {"relay": "outbox.sweep", "asr": "feedback.transcribe", "llm": "feedback.analyze"}
STAGE_QUEUES |= {"scoring": "feedback.score", "notify": "feedback.route"}
FEEDBACK_QUEUES = ("asr", "llm", "scoring", "notify")
TASK_DONE = re.compile(r"Task (\S+)\[[^\]]+\] succeeded in ([0-9.]+)s")
WARMUP_ITEMS = 200
WARMUP_SECONDS = 300.0  # the first score on a fresh schema trains the bootstrap model
POST_THREADS = 8
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Sample:
    text: str
    language: str
    rating: int | None
    flagged: bool  # trips a critical or high red flag: ingest sends it down the fast lane


def samples(flagged_share: float, count: int, seed: int = 7) -> list[Sample]:
    """`count` items drawn from the corpora, `flagged_share` of them red-flagged."""
    pool: dict[bool, list[Sample]] = {True: [], False: []}
    for path in CORPORA:
        for line in path.read_text().splitlines():
            row = json.loads(line)
            flagged = needs_fast_lane(row["text"], row["language"])
            pool[flagged].append(Sample(row["text"], row["language"], row.get("rating"), flagged))
    rng = random.Random(seed)
    return [rng.choice(pool[rng.random() < flagged_share]) for _ in range(count)]


class Poster:
    """POSTs over one keep-alive connection per thread (the load generator's own cost stays
    small next to the stack's)."""

    def __init__(self, port: int, token: str, batch_size: int) -> None:
        self._port = port
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._batch_size = batch_size
        self._local = threading.local()
        self.failed = 0

    def _connection(self) -> http.client.HTTPConnection:
        if getattr(self._local, "conn", None) is None:
            self._local.conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
        return self._local.conn

    def post(self, items: list[tuple[int, Sample]]) -> None:
        """One POST of the items: alone to /v1/feedback, else to /v1/feedback/batch."""
        bodies = [
            {
                "channel": "kiosk",
                "text": s.text,
                "language": s.language,
                "rating": s.rating,
                "department": DEPARTMENTS[n % len(DEPARTMENTS)],
            }
            for n, s in items
        ]
        if self._batch_size == 1:
            path, payload = "/v1/feedback", bodies[0]
        else:
            path = "/v1/feedback/batch"
            payload = {
                "items": [{**body, "client_id": f"c{n}"} for (n, _), body in zip(items, bodies, strict=True)]
            }
        for attempt in range(2):  # a keep-alive connection the server closed: once more on a new one
            conn = self._connection()
            try:
                conn.request("POST", path, json.dumps(payload), self._headers)
                response = conn.getresponse()
                response.read()
                if response.status not in (200, 202):
                    raise OSError(f"{path} answered {response.status}")
                return
            except (OSError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
                if attempt:
                    self.failed += len(items)

    def _chunks(self, items: list[Sample], first: int) -> list[list[tuple[int, Sample]]]:
        """The items numbered from `first`, one list per POST."""
        numbered = list(enumerate(items, first))
        return [
            numbered[start : start + self._batch_size] for start in range(0, len(numbered), self._batch_size)
        ]

    def open_loop(self, items: list[Sample], rate: float, first: int = 0) -> float:
        """Every send time fixed in advance at `rate` items/s; returns when the last answered."""
        chunks = self._chunks(items, first)
        begin = time.monotonic() + 0.2
        with ThreadPoolExecutor(max_workers=POST_THREADS) as pool:
            for k, chunk in enumerate(chunks):
                pause = begin + k * self._batch_size / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                pool.submit(self.post, chunk)
        return time.monotonic() - begin

    def flood(self, items: list[Sample], first: int = 0) -> float:
        """As fast as POST_THREADS clients go: a queue filling while the workers are down."""
        chunks = self._chunks(items, first)
        begin = time.monotonic()
        with ThreadPoolExecutor(max_workers=POST_THREADS) as pool:
            list(pool.map(self.post, chunks))
        return time.monotonic() - begin


def waiting_messages(broker: redis.Redis) -> dict[str, int]:
    """Messages per Redis list (kombu keeps one list per queue and priority step)."""
    lists = [key for key in broker.scan_iter(count=1000) if broker.type(key) == b"list"]
    return {key.decode(errors="replace").replace("\x06\x16", ":"): broker.llen(key) for key in lists}


def wait_queues_empty(broker: redis.Redis, timeout: float) -> float:
    """Until no feedback stage has a message waiting (route follows `analyzed`); the
    seconds it took. The relay queue is left out: beat refills it every second."""
    begin = time.monotonic()
    while time.monotonic() - begin < timeout:
        waiting = waiting_messages(broker)
        if not any(n for key, n in waiting.items() if key.split(":")[0] in FEEDBACK_QUEUES):
            break
        time.sleep(POLL_SECONDS)
    return time.monotonic() - begin


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "feedback": conn.scalar(select(func.count()).select_from(Feedback)),
            "analyzed": conn.scalar(select(func.count()).where(Feedback.status == "analyzed")),
            "failed": conn.scalar(select(func.count()).where(Feedback.status == "failed")),
            "unpublished": conn.scalar(select(func.count()).where(OutboxEntry.published_at.is_(None))),
        }


def wait_analyzed(engine: Engine, total: int, timeout: float, idle_timeout: float = 60.0) -> dict[str, int]:
    """Until `total` items are analyzed, `timeout` passed, or none moved for `idle_timeout`
    after the first (workers starting on a busy machine take a while)."""
    deadline, last, moved_at = time.monotonic() + timeout, 0, float("inf")
    while True:
        now = counts(engine)
        if now["analyzed"] != last:
            last, moved_at = now["analyzed"], time.monotonic()
        if now["analyzed"] + now["failed"] >= total or time.monotonic() > min(
            deadline, moved_at + idle_timeout
        ):
            return now
        time.sleep(POLL_SECONDS)


def task_runs(logs: list[Path], since: dict[Path, int], items: int) -> None:
    """Task run times logged after the offsets in `since`, per task name, over the items
    measured (route returns alert ids, so the items a task carried are not in its log)."""
    seconds: dict[str, float] = defaultdict(float)
    tasks: dict[str, int] = defaultdict(int)
    for log in logs:
        with log.open(errors="replace") as handle:
            handle.seek(since.get(log, 0))
            for match in TASK_DONE.finditer(handle.read()):
                seconds[match.group(1)] += float(match.group(2))
                tasks[match.group(1)] += 1
    print("task run times from the worker logs (wall time of the task body), per item measured:")
    for name in sorted(seconds):
        print(f"  {name}: {seconds[name] / items * 1000:.2f} ms ({tasks[name]} tasks, {seconds[name]:.1f} s)")


def exactly_once(engine: Engine) -> tuple[bool, str]:
    """Every feedback analyzed, with one analyses and one urgency_decisions row each."""
    with engine.connect() as conn:
        feedback = conn.scalar(select(func.count()).select_from(Feedback))
        analyzed = conn.scalar(select(func.count()).where(Feedback.status == "analyzed"))
        analyses, analyzed_items = conn.execute(
            select(func.count(), func.count(Analysis.feedback_id.distinct()))
        ).one()
        decisions, decided_items = conn.execute(
            select(func.count(), func.count(UrgencyDecision.feedback_id.distinct()))
        ).one()
        dead = conn.scalar(select(func.count()).select_from(DeadLetter))
    ok = feedback == analyzed == analyses == analyzed_items == decisions == decided_items and not dead
    return ok, (
        f"{feedback} feedback, {analyzed} analyzed, {analyses} analyses ({analyzed_items} items), "
        f"{decisions} decisions ({decided_items} items), {dead} dead letters"
    )


@dataclass(frozen=True)
class Figures:
    end_to_end: float  # items/s from the first POST (steady) or the workers' start (backlog)
    drain: float  # items/s from the first decision to the last
    detail: str


def figures(engine: Engine, since: datetime, started: float | None = None) -> Figures:
    """Over the items received after `since`, to the last decision: items/s from the first
    received (or from `started`, a time.time()) and from the first decision; latencies."""
    query = (
        select(Feedback.received_at, UrgencyDecision.created_at)
        .join(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .where(Feedback.received_at >= since)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        return Figures(0.0, 0.0, "no item analyzed")
    first = started if started is not None else min(r[0] for r in rows).timestamp()
    decided = sorted(r[1].timestamp() for r in rows)
    latencies = [(d - r).total_seconds() for r, d in rows]
    drain = (len(decided) - 1) / (decided[-1] - decided[0]) if len(decided) > 1 else 0.0
    return Figures(
        len(rows) / (decided[-1] - first),
        drain,
        f"{len(rows)} items; {decided[0] - first:.1f} s to the first decision, {decided[-1] - first:.1f} s to "
        f"the last; ingest → analyzed p50 {percentile(latencies, 50):.2f} s, p99 {percentile(latencies, 99):.2f} s",
    )


def worker_roles(layout: str, concurrency: int, env: dict[str, str], var_dir: Path) -> dict[str, Role]:
    if layout == "per-queue":
        groups = {f"{queue} worker": queue for queue in STAGE_QUEUES}
    else:
        groups = {"pipeline worker": "relay,asr,llm,scoring", "notify worker": "notify"}
    return {
        name: Role(
            ["worker", "--queues", queues, "--concurrency", str(concurrency)],
            env,
            var_dir / f"{name.replace(' ', '-')}.log",
        )
        for name, queues in groups.items()
    } | {"beat": Role(["beat"], env, var_dir / "beat.log")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("steady", "backlog"), default="steady")
    parser.add_argument("--rate", type=float, default=350.0, help="steady: items posted per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="steady: how long to post")
    parser.add_argument("--items", type=int, default=50_000, help="backlog: items queued")
    parser.add_argument("--queue-via", choices=("ingest", "relay"), default="ingest", help="backlog")
    parser.add_argument("--post", choices=("single", "batch"), default="single")
    parser.add_argument("--batch-size", type=int, default=25, help="--post batch: items per POST")
    parser.add_argument("--layout", choices=("per-queue", "shared"), default="per-queue")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes per worker")
    parser.add_argument("--ingest-workers", type=int, default=2)
    parser.add_argument("--flagged-share", type=float, default=0.05)
    parser.add_argument("--target", type=float, default=300.0, help="items/s required")
    parser.add_argument("--keep-logs", type=Path, default=None, help="copy the roles' logs to this directory")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    batch_size = 1 if args.post == "single" else args.batch_size
    total = int(args.rate * args.seconds) if args.mode == "steady" else args.items
    items = samples(args.flagged_share, WARMUP_ITEMS + total)
    resources = ExitStack()
    broker = resources.enter_context(flushed_redis(args.redis_url))
    url = resources.enter_context(fresh_schema(args.database_url))
    engine = create_engine(url)
    passed = False
    try:
        with tempfile.TemporaryDirectory(prefix="carepulse-bench-throughput-") as tmp:
            var_dir = Path(tmp)
            env = dict(os.environ)
            env.pop("GOOGLE_API_KEY", None)
            env.update(
                PYTHONPATH=str(ROOT),
                DATABASE_URL=url,
                REDIS_URL=args.redis_url,
                CAREPULSE_VAR_DIR=str(var_dir),
                RATE_LIMIT_PER_MINUTE="0",
                RATE_LIMIT_PER_ADDRESS_PER_MINUTE="0",
                OUTBOX_SWEEP_SECONDS="1",
                WORKER_METRICS_PORT="0",
                ONCALL_SMS_TO="+15550100",
                ONCALL_EMAIL_TO="oncall@hospital.example",
            )
            # As an operator sets up: migrations, then the bootstrap champion (trained here,
            # so that no measured item waits on training).
            run_cli(env, "migrate")
            token = create_key_by_cli(env, "kiosk", "bench-kiosk")
            port = free_port()
            ingest_env = (
                env | {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
                if args.queue_via == "relay"
                else env
            )
            ingest_args = ["ingest", "--bind", f"127.0.0.1:{port}", "--workers", str(args.ingest_workers)]
            roles = {"ingest": Role(ingest_args, ingest_env, var_dir / "ingest.log")}
            workers = worker_roles(args.layout, args.concurrency, env, var_dir)
            poster = Poster(port, token, batch_size)
            print(
                f"stack: gunicorn ingest x{args.ingest_workers}, workers {args.layout} x{args.concurrency}, "
                f"beat; {args.post} POSTs ({batch_size} items each)"
            )
            try:
                roles["ingest"].start()
                wait_healthy(f"http://127.0.0.1:{port}", timeout=60)
                if args.mode == "backlog":
                    queued = poster.flood(items[WARMUP_ITEMS:], first=WARMUP_ITEMS)
                    state = counts(engine)
                    print(
                        f"queued {state['feedback']} items in {queued:.1f} s "
                        f"({state['unpublished']} left in the outbox for the relay) while no worker runs"
                    )
                    print(f"messages waiting in Redis: {waiting_messages(broker)}")
                    since = datetime.fromtimestamp(0, UTC)
                    for role in workers.values():
                        role.start()
                    roles |= workers
                    started = time.time()
                    wait_analyzed(engine, 1, timeout=600)  # CPU is counted once they run, not while they boot
                    measured = total - counts(engine)["analyzed"]
                    offsets = {role.log_path: role.log_path.stat().st_size for role in workers.values()}
                    cpu_before = cpu_by_name(roles)
                    final = wait_analyzed(engine, total, timeout=3600)
                else:
                    for role in workers.values():
                        role.start()
                    roles |= workers
                    warm = time.monotonic()
                    poster.open_loop(items[:WARMUP_ITEMS], rate=50)
                    wait_analyzed(engine, WARMUP_ITEMS, WARMUP_SECONDS)
                    print(f"warm-up: {WARMUP_ITEMS} items analyzed in {time.monotonic() - warm:.1f} s")
                    offsets = {role.log_path: role.log_path.stat().st_size for role in workers.values()}
                    since, started, measured = datetime.now(UTC), None, total
                    cpu_before = cpu_by_name(roles)
                    posting = poster.open_loop(items[WARMUP_ITEMS:], args.rate, first=WARMUP_ITEMS)
                    print(
                        f"posted {total} items in {posting:.1f} s ({total / posting:.0f}/s asked {args.rate:g}/s)"
                    )
                    final = wait_analyzed(engine, WARMUP_ITEMS + total, timeout=1800)
                routed = wait_queues_empty(broker, timeout=600)
                print(f"feedback queues empty (routing done) {routed:.1f} s after the last item was analyzed")
                cpu_after = cpu_by_name(roles)
                exited = [
                    name for name, role in roles.items() if role.process and role.process.poll() is not None
                ]
            finally:
                for role in reversed(roles.values()):
                    role.stop()
            print(
                f"state at the end: {final}; failed POSTs: {poster.failed}; roles exited early: {exited or 'none'}"
            )
            result = figures(engine, since, started)
            if args.mode == "steady":
                print(
                    f"steady: {result.end_to_end:.0f} items/s, first POST to last decision; {result.detail}"
                )
                rate = result.end_to_end
            else:
                print(
                    f"backlog: drain {result.drain:.0f} items/s, first decision to last "
                    f"({result.end_to_end:.0f} items/s counting the workers' start); {result.detail}"
                )
                rate = result.drain
            cpu_report(cpu_before, cpu_after, measured)
            task_runs([role.log_path for role in workers.values()], offsets, measured)
            if args.keep_logs:
                args.keep_logs.mkdir(parents=True, exist_ok=True)
                for role in roles.values():
                    shutil.copy(role.log_path, args.keep_logs)
        once, summary = exactly_once(engine)
        print(f"exactly once: {'yes' if once else 'NO'}: {summary}")
        passed = once and rate >= args.target and not poster.failed and not exited
        print(
            f"verdict: {rate:.0f} items/s {'>=' if rate >= args.target else '<'} {args.target:g}: {'PASS' if passed else 'FAIL'}"
        )
    finally:
        engine.dispose()
        resources.close()
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
