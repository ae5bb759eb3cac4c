"""Peak memory of the ingest process while it streams a large CSV export
(GET /v1/feedback/export.csv, staff key), against the 150 MB requirement.

    .venv/bin/python bench/export_memory.py --rows 100000

Creates a PostgreSQL schema of its own, seeds it, runs `carepulse serve ingest` (gunicorn)
on it, streams the export while sampling the master's and workers' resident memory,
prints the figures and the machine it ran on, then stops ingest and drops the schema.
Exits non-zero when the row count is wrong or a worker peaks at 150 MB or more.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from psycopg import Cursor
from psycopg.types.json import Jsonb
from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/ is not installed: its key helper is shared from the checkout

from carepulse.private_redis import free_port  # noqa: E402
from ingest.feedback_list import CSV_COLUMNS  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.tables import Analysis, Feedback, UrgencyDecision  # noqa: E402
from tests.support.processes import create_key_by_cli  # noqa: E402

LIMIT_MB = 150
SAMPLE_SECONDS = 0.02
SEED_CHUNK = 5_000
INJECTED_EVERY = 500  # one text in 500 starts with "=", for the CSV-injection guard
SENTENCES = (
    "The nurse on the night shift, Maria, checked on my mother every hour.",
    'We were told "someone will be with you in five minutes" and nobody came for two hours.',
    "The waiting room was clean, but the toilets were not, and there was no soap.",
    "Dr. Okafor explained the scan results clearly; we finally understood what was going on.",
    "My father in bed 4 could not breathe properly and the call button did nothing.",
    "Parking cost €18 for one afternoon, which is a lot when you visit every day.",
    'The food was cold again, the tea was "lukewarm at best", and dinner came at 9 pm.',
    "Reception staff were kind, patient and spoke French with my grandmother.",
    "Nobody told us why the operation was postponed, twice.",
    "Discharge took six hours: papers, pharmacy, then waiting for a wheelchair.",
    "The physiotherapist, Sam, was brilliant — thank you!",
    "I asked three times for pain relief; it came after midnight.",
)
CHANNELS = ("kiosk", "kiosk", "kiosk", "sms", "sms", "survey", "survey", "voice")
DEPARTMENTS = ("ER", "cardiology", "maternity", "oncology", "pediatrics", "radiology", None)
LEVELS = ("critical", "high", "medium", "medium", "low", "low", "low", "low")
TRIAGE = ("new", "new", "acknowledged", "resolved")


def pg_schema_url(base: str, schema: str) -> str:
    """The URL of `schema` alone, as tests/conftest.py builds it."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def feedback_text(rng: random.Random, n: int) -> str:
    """200-600 characters of prose with commas, quotes and some newlines."""
    target = rng.randint(200, 600)
    parts: list[str] = []
    length = 0
    while length < target:
        parts.append(rng.choice(SENTENCES) + ("\n" if rng.random() < 0.15 else " "))
        length += len(parts[-1])
    body = "".join(parts)[:600].strip()
    if n % INJECTED_EVERY == 0:
        return '=HYPERLINK("http://example.test/x","see") ' + body[:550]
    return body


def sentiment_label(score: float) -> str:
    return "negative" if score < 0.4 else "positive" if score > 0.6 else "neutral"


def seed_chunks(rows: int, rng: random.Random) -> Iterator[tuple[list[dict], list[dict], list[dict]]]:
    """Feedback, analyses and urgency decisions, SEED_CHUNK rows at a time, over a year."""
    now = datetime.now(UTC)
    for start in range(0, rows, SEED_CHUNK):
        feedback, analyses, decisions = [], [], []
        for n in range(start, min(start + SEED_CHUNK, rows)):
            feedback_id = str(uuid.uuid4())
            received = now - timedelta(seconds=rng.randint(0, 365 * 86_400))
            score = rng.random()
            feedback.append(
                {
                    "id": feedback_id,
                    "channel": rng.choice(CHANNELS),
                    "text": feedback_text(rng, n),
                    "rating": rng.choice((None, 1, 2, 3, 4, 5)),
                    "language": rng.choice(("en", "en", "fr", "es", None)),
                    "department": rng.choice(DEPARTMENTS),
                    "received_at": received,
                    "status": "analyzed",
                    "triage_state": rng.choice(TRIAGE),
                }
            )
            analyses.append(
                {
                    "feedback_id": feedback_id,
                    "analyzer": "local",
                    "sentiment_label": sentiment_label(score),
                    "sentiment_score": round(score * 2 - 1, 3),
                    "language": rng.choice(("en", "en", "fr", "es")),
                    "emotions": Jsonb(["frustration"] if score < 0.4 else []),
                    "topics": Jsonb(["wait", "staff"]),
                    "created_at": received + timedelta(seconds=2),
                }
            )
            decisions.append(
                {
                    "feedback_id": feedback_id,
                    "level": rng.choice(LEVELS),
                    "score": round(rng.random(), 3),
                    "reasons": Jsonb(["bench"]),
                    "analyzer": "local",
                    "model_version": "bench-1",
                    "created_at": received + timedelta(seconds=3),
                }
            )
        yield feedback, analyses, decisions


def copy_rows(cursor: Cursor, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def seed(engine: Engine, rows: int) -> int:
    """COPY (the fastest bulk load) `rows` analyzed and scored feedback; return how many
    texts start with "="."""
    rng = random.Random(20261123)
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            for feedback, analyses, decisions in seed_chunks(rows, rng):
                copy_rows(cursor, Feedback.__tablename__, feedback)
                copy_rows(cursor, Analysis.__tablename__, analyses)
                copy_rows(cursor, UrgencyDecision.__tablename__, decisions)
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        tables = (Feedback, Analysis, UrgencyDecision)
        conn.execute(text(f"ANALYZE {', '.join(table.__tablename__ for table in tables)}"))
    return len(range(0, rows, INJECTED_EVERY))


def start_ingest(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """`carepulse serve ingest` in a process group of its own; the CLI execs gunicorn in place."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "carepulse.cli", "serve", "ingest"),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_healthy(process: subprocess.Popen[bytes], base: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"ingest exited with {process.returncode}; see {log}:\n{log.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"ingest not healthy within {timeout:.0f} s; see {log}")


def stop_ingest(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group lets gunicorn stop its workers gracefully; SIGKILL only if it hangs."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def status_kb(pid: int, field: str) -> int:
    """A `VmRSS`/`VmHWM` line of /proc/PID/status, in kB (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def wait_workers(master: int, workers: int, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = children(master)
        if len(found) == workers:
            return found
        time.sleep(0.1)
    raise SystemExit(f"gunicorn master {master} has not {workers} workers")


class RssSampler(threading.Thread):
    """Reads each process's VmRSS every SAMPLE_SECONDS and keeps the highest seen."""

    def __init__(self, pids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self._pids = pids
        self._done = threading.Event()
        self.peak_kb = dict.fromkeys(pids, 0)
        self.samples = 0

    def run(self) -> None:
        while not self._done.is_set():
            for name, pid in self._pids.items():
                self.peak_kb[name] = max(self.peak_kb[name], status_kb(pid, "VmRSS"))
            self.samples += 1
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


class CountingReader(io.RawIOBase):
    """The response's bytes, counted, with the time the first one arrived."""

    def __init__(self, source: io.BufferedIOBase) -> None:
        self._source = source
        self.count = 0
        self.first_at: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._source.readinto(buffer)
        if n and self.first_at is None:
            self.first_at = time.monotonic()
        self.count += n
        return n


@dataclass(frozen=True)
class Export:
    header: list[str]
    rows: int
    bytes: int
    seconds: float
    first_byte: float
    guarded: int  # texts that start with "'=": the formula guard's prefix
    unguarded: int  # texts that still start with "="


def stream_export(base: str, token: str) -> Export:
    """Parse the CSV as it arrives, as a client would; a quoted newline stays inside its row."""
    request = urllib.request.Request(f"{base}/v1/feedback/export.csv")
    request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    rows = guarded = unguarded = 0
    with urllib.request.urlopen(request, timeout=120) as response:
        counter = CountingReader(response)
        reader = csv.reader(io.TextIOWrapper(io.BufferedReader(counter), encoding="utf-8", newline=""))
        header = next(reader)
        text_at = header.index("text")
        for row in reader:
            rows += 1
            guarded += row[text_at].startswith("'=")
            unguarded += row[text_at].startswith("=")
    return Export(
        header=header,
        rows=rows,
        bytes=counter.count,
        seconds=time.monotonic() - started,
        first_byte=(counter.first_at or started) - started,
        guarded=guarded,
        unguarded=unguarded,
    )


def mb(kb: int) -> float:
    return kb / 1024


def measure(base: str, token: str, master: int, workers: int, injected: int, rows: int) -> bool:
    """Stream the export while sampling memory; print the figures; True when all is within limits."""
    pids = {"master": master} | {
        f"worker {n}": pid for n, pid in enumerate(wait_workers(master, workers), start=1)
    }
    baseline = {name: status_kb(pid, "VmRSS") for name, pid in pids.items()}
    sampler = RssSampler(pids)
    sampler.start()
    try:
        result = stream_export(base, token)
    finally:
        sampler.stop()
    hwm = {name: status_kb(pid, "VmHWM") for name, pid in pids.items()}
    print(
        f"export: {result.rows:,} rows, {result.bytes / 1e6:.1f} MB in {result.seconds:.2f} s "
        f"({result.rows / result.seconds:,.0f} rows/s), first byte after {result.first_byte:.3f} s"
    )
    print(f"formula guard: {result.guarded} of {injected} '=' texts prefixed, {result.unguarded} unguarded")
    for name, pid in pids.items():
        print(
            f"{name} (pid {pid}): RSS before {mb(baseline[name]):.1f} MB, "
            f"sampled peak {mb(sampler.peak_kb[name]):.1f} MB "
            f"(+{mb(sampler.peak_kb[name] - baseline[name]):.1f}), VmHWM {mb(hwm[name]):.1f} MB"
        )
    print(f"samples: {sampler.samples} every {SAMPLE_SECONDS * 1000:.0f} ms")
    header_ok = result.header == list(CSV_COLUMNS)
    rows_ok = header_ok and result.rows == rows
    print(
        f"rows: {'OK' if rows_ok else 'MISMATCH'} ({result.rows:,} of {rows:,}; header "
        f"{'as CSV_COLUMNS' if header_ok else result.header})"
    )
    worker_peak = max(mb(kb) for name, kb in hwm.items() if name != "master")
    memory_ok = worker_peak < LIMIT_MB
    verdict = f"< {LIMIT_MB} MB: PASS" if memory_ok else f">= {LIMIT_MB} MB: FAIL"
    print(f"verdict: worker peak (VmHWM) {worker_peak:.1f} MB {verdict}")
    return rows_ok and result.guarded == injected and result.unguarded == 0 and memory_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    schema = f"cp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    ok = False
    try:
        url = pg_schema_url(args.database_url, schema)
        upgrade(url)
        engine = create_engine(url)
        started = time.monotonic()
        injected = seed(engine, args.rows)
        engine.dispose()
        seconds = time.monotonic() - started
        print(f"seeded {args.rows:,} feedback rows (+ analyses, urgency decisions) in {seconds:.1f} s")
        with tempfile.TemporaryDirectory(prefix="carepulse-bench-") as var_dir:
            env = dict(os.environ)
            env.update(
                DATABASE_URL=url,
                REDIS_URL="redis://127.0.0.1:6379/13",
                CAREPULSE_VAR_DIR=var_dir,
                RATE_LIMIT_PER_MINUTE="0",
                RATE_LIMIT_PER_ADDRESS_PER_MINUTE="0",
            )
            token = create_key_by_cli(env, "staff", "bench-export", "--role", "staff")
            port = free_port()
            log = Path(var_dir) / "ingest.log"
            process = start_ingest(env, port, args.workers, log)
            try:
                base = f"http://127.0.0.1:{port}"
                wait_healthy(process, base, log)
                print(f"ingest: gunicorn, {args.workers} worker(s), PostgreSQL schema {schema}")
                ok = measure(base, token, process.pid, args.workers, injected, args.rows)
            finally:
                stop_ingest(process)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
