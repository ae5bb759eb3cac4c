"""Durable ingest against the usual FastAPI stack and a bare Falcon endpoint, in one run,
with `wrk` on this machine (issue 9, part 1 and Done-when 1).

    .venv/bin/pip install -e '.[bench]'   # FastAPI and uvicorn[standard], once
    .venv/bin/python bench/ingest.py --connections 64 --duration 20 --workers 2

Serves, one after the other, each with the same number of worker processes:
  ours     CarePulse's `POST /v1/feedback`, by `carepulse.roles.ingest_command` exactly as
           `carepulse serve ingest` runs it (gunicorn gthread, JSON logger, metrics dir),
           on PostgreSQL and Redis: the row and its outbox row committed, then published;
  bare     bench/ingest_apps/bare_falcon.py by the very same gunicorn command line: parse
           the JSON, answer 202, store nothing;
  FastAPI  bench/ingest_apps/fastapi_ingest.py, the same ingest work written the usual
           FastAPI way, under `uvicorn --loop uvloop --http httptools`.
Each gets a few seconds of warm-up, then a measured wrk run of a ~600-byte kiosk POST;
afterwards the rows committed in the measured run are counted against the 2xx answers wrk
saw, and the outbox rows published. No Celery worker runs: the chains pile up in Redis,
which is flushed after each server. A limiter runs in ours with a limit no client reaches.
Exits non-zero when ours is under 1.8x FastAPI's requests/s or under 30 % of bare's, its p99
is 50 ms or more, a response was not 2xx, a socket failed, or a 2xx had no committed row.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis
from sqlalchemy import Engine, create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import Server, cpu_seconds, flushed_redis, fresh_schema, machine  # noqa: E402
from carepulse.cli import build_parser  # noqa: E402
from carepulse.private_redis import free_port  # noqa: E402
from carepulse.roles import fresh_metrics_dir, ingest_command  # noqa: E402
from ingest.schemas import FeedbackIn  # noqa: E402
from models.settings import load_settings  # noqa: E402
from models.tables import Feedback, OutboxEntry  # noqa: E402
from pipelines.urgency.rules import needs_fast_lane  # noqa: E402
from tests.support.processes import create_key_by_cli  # noqa: E402

TARGET_VS_FASTAPI = 1.8
TARGET_VS_BARE = 0.30
P99_LIMIT_MS = 50.0
SETTLE_SECONDS = 15.0  # for answers in flight when wrk stopped to commit and publish
UNREACHABLE_RATE_LIMIT = "1000000000"  # per key (and address) and minute: the limiters run, never refuse
POST_SCRIPT = ROOT / "bench" / "ingest_apps" / "post.lua"
SERVE_INGEST = build_parser().parse_args(["serve", "ingest"])  # `carepulse serve ingest` defaults
BODY = {
    "channel": "kiosk",
    "text": (
        "The nurses on the cardiology ward were kind and explained every step of my father's "
        "treatment. Waiting for the discharge letter took most of the afternoon, and the television "
        "in the day room did not work, but the room was clean and the food was better than we "
        "expected. Parking was expensive for daily visits; a weekly pass for relatives would help. "
        "Thank you to the night staff who brought him tea and sat with him when he could not sleep. "
        "We would recommend the ward to our friends and family."
    ),
    "rating": 4,
    "language": "en",
    "department": "cardiology",
    "patient_ref": "MRN-2026-004817",
}
TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
WRK_TIME = r"([0-9.]+)(us|ms|s|m|h)"


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # wrk counts 3xx with them; none is expected here
    socket_errors: dict[str, int]

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())

    @property
    def succeeded(self) -> int:
        return self.requests - self.non_2xx


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * TIME_UNITS_MS[unit]


def parse_wrk(output: str) -> WrkRun:
    """The figures of `wrk --latency` from its report."""
    done = re.search(r"(\d+) requests in ([0-9.]+)(us|ms|s|m|h)", output)
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    p50 = re.search(rf"^\s+50%\s+{WRK_TIME}", output, re.MULTILINE)
    p99 = re.search(rf"^\s+99%\s+{WRK_TIME}", output, re.MULTILINE)
    if not (done and rate and p50 and p99):
        raise SystemExit(f"cannot read wrk's report:\n{output}")
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkRun(
        requests=int(done.group(1)),
        seconds=_milliseconds(done.group(2), done.group(3)) / 1000,
        per_second=float(rate.group(1)),
        p50_ms=_milliseconds(p50.group(1), p50.group(2)),
        p99_ms=_milliseconds(p99.group(1), p99.group(2)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
        if sockets
        else {},
    )


@dataclass(frozen=True)
class Load:
    """What wrk sends, and how hard."""

    token: str
    body_file: Path
    connections: int
    wrk_threads: int

    def run(self, url: str, seconds: float) -> WrkRun:
        command = [
            *("wrk", "--latency", "--script", str(POST_SCRIPT)),
            *("--connections", str(self.connections), "--threads", str(self.wrk_threads)),
            *("--duration", f"{seconds:g}s", url),
        ]
        env = os.environ | {"INGEST_TOKEN": self.token, "INGEST_BODY_FILE": str(self.body_file)}
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
        if result.returncode != 0:
            raise SystemExit(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
        return parse_wrk(result.stdout)


@dataclass(frozen=True)
class Contender:
    name: str
    command: Callable[[int], list[str]]  # the command line serving on a port
    env: dict[str, str]
    stores: bool  # commits feedback rows (bare Falcon does not)


@dataclass(frozen=True)
class Stored:
    rows: int
    published: int


@dataclass(frozen=True)
class Outcome:
    name: str
    wrk: WrkRun
    stored: Stored | None  # in the measured run; None for a server that stores nothing
    server_cpu_us: float  # per request, the server's whole process group
    postgres_cpu_us: float  # per request, every PostgreSQL process on the machine

    def durable(self) -> bool:
        """Every 2xx has its committed row, and every committed row was published."""
        if self.stored is None:
            return True
        return self.stored.rows >= self.wrk.succeeded and self.stored.published == self.stored.rows


def stored_now(engine: Engine) -> Stored:
    with engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(Feedback))
        published = conn.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.published_at.is_not(None))
        )
    return Stored(rows or 0, published or 0)


def settled(engine: Engine) -> Stored:
    """The counts once they stop moving: what was in flight when wrk stopped has landed."""
    deadline = time.monotonic() + SETTLE_SECONDS
    last = stored_now(engine)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = stored_now(engine)
        if now == last and now.published == now.rows:
            break
        last = now
    return last


def postgres_cpu() -> float:
    return cpu_seconds(lambda _group, command: command == "postgres")


def measure(
    contender: Contender,
    load: Load,
    engine: Engine,
    broker: redis.Redis,
    var_dir: Path,
    seconds: tuple[float, float],
) -> Outcome:
    """Start the server, warm it up, measure it, count what it stored, stop it."""
    port = free_port()
    command = contender.command(port)
    print(f"{contender.name}: {' '.join(command).replace(sys.executable, 'python')}", flush=True)
    server = Server(command, contender.env, var_dir / f"{contender.name}.log").start()
    warm_up, duration = seconds
    try:
        server.wait_healthy(f"http://127.0.0.1:{port}/healthz")
        url = f"http://127.0.0.1:{port}/v1/feedback"
        load.run(url, warm_up)
        before = settled(engine)
        cpu_before = (server.cpu_seconds(), postgres_cpu())
        run = load.run(url, duration)
        cpu_after = (server.cpu_seconds(), postgres_cpu())
        after = settled(engine)
    finally:
        server.stop()
        broker.flushdb()  # the chains no worker took
    stored = Stored(after.rows - before.rows, after.published - before.published)
    per_request = 1e6 / max(run.requests, 1)
    return Outcome(
        contender.name,
        run,
        stored if contender.stores else None,
        (cpu_after[0] - cpu_before[0]) * per_request,
        (cpu_after[1] - cpu_before[1]) * per_request,
    )


def contenders(env: dict[str, str], workers: int, threads: int) -> list[Contender]:
    """The three servers, each with the same number of worker processes."""
    # As `carepulse serve ingest` does: each run counts its metrics in a fresh directory.
    gunicorn_env = env | {"PROMETHEUS_MULTIPROC_DIR": fresh_metrics_dir(load_settings(env), "ingest")}
    uvicorn = [sys.executable, "-m", "uvicorn", "bench.ingest_apps.fastapi_ingest:app"]
    return [
        Contender(
            "ours",
            lambda port: ingest_command(f"127.0.0.1:{port}", workers, threads),
            gunicorn_env,
            stores=True,
        ),
        Contender(
            "bare Falcon",
            lambda port: ingest_command(
                f"127.0.0.1:{port}", workers, threads, app="bench.ingest_apps.bare_falcon:app"
            ),
            gunicorn_env,
            stores=False,
        ),
        Contender(
            "FastAPI",
            lambda port: [
                *uvicorn,
                *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
                *("--loop", "uvloop", "--http", "httptools"),
            ],
            env,
            stores=True,
        ),
    ]


def report(outcomes: list[Outcome]) -> bool:
    """Print the table, the ratios and the verdict; True when every target holds."""
    print(
        f"{'server':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'rows (published) / 2xx':>26} {'server CPU µs/req':>18} {'PostgreSQL µs/req':>18}"
    )
    for outcome in outcomes:
        wrk = outcome.wrk
        stored = (
            f"{outcome.stored.rows} ({outcome.stored.published}) / {wrk.succeeded}" if outcome.stored else "-"
        )
        print(
            f"{outcome.name:<12} {wrk.per_second:>9.0f} {wrk.p50_ms:>8.2f} {wrk.p99_ms:>8.2f} "
            f"{wrk.errors:>7} {stored:>26} {outcome.server_cpu_us:>18.0f} {outcome.postgres_cpu_us:>18.0f}"
        )
        if wrk.errors:
            print(f"  {outcome.name}: {wrk.non_2xx} non-2xx, socket errors {wrk.socket_errors}")
        if not outcome.durable():
            print(f"  {outcome.name}: NOT DURABLE: fewer committed or published rows than 2xx answers")
    print("(PostgreSQL CPU counts every session on the machine, not only this bench's.)")
    by_name = {outcome.name: outcome for outcome in outcomes}
    ours = by_name["ours"].wrk
    versus_fastapi = ours.per_second / by_name["FastAPI"].wrk.per_second
    versus_bare = ours.per_second / by_name["bare Falcon"].wrk.per_second
    checks = {
        f"ours / FastAPI req/s: {versus_fastapi:.2f} (target >= {TARGET_VS_FASTAPI:g})": versus_fastapi
        >= TARGET_VS_FASTAPI,
        f"ours / bare Falcon req/s: {versus_bare:.2f} (target >= {TARGET_VS_BARE:g})": versus_bare
        >= TARGET_VS_BARE,
        f"ours p99: {ours.p99_ms:.1f} ms (limit < {P99_LIMIT_MS:g} ms)": ours.p99_ms < P99_LIMIT_MS,
        "every answer 2xx, no socket error, every 2xx committed and published": all(
            outcome.wrk.errors == 0 and outcome.durable() for outcome in outcomes
        ),
    }
    for line, ok in checks.items():
        print(f"{line}: {'PASS' if ok else 'FAIL'}")
    passed = all(checks.values())
    print(f"verdict: {'PASS' if passed else 'FAIL'}")
    return passed


def require_tools() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    try:
        import fastapi  # noqa: F401
        import httptools  # noqa: F401
        import uvicorn  # noqa: F401
        import uvloop  # noqa: F401
    except ImportError as exc:
        raise SystemExit(f"{exc.name} missing: .venv/bin/pip install -e '.[bench]'") from None


def check_body(body: dict[str, object]) -> str:
    """The request body as JSON, refused here if ingest would refuse it or fast-lane it."""
    data = FeedbackIn.model_validate(body)
    if needs_fast_lane(data.text, data.language):
        raise SystemExit("the bench body trips a red flag: it must be an ordinary comment")
    return json.dumps(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=64, help="wrk's open connections")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per server")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of every server")
    parser.add_argument(
        "--threads", type=int, default=SERVE_INGEST.threads, help="gunicorn threads per worker"
    )
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10", help="flushed: a db of its own")
    args = parser.parse_args()
    require_tools()
    # A SIGTERM to this script unwinds it like Ctrl-C, so the servers it started stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"machine: {machine()}")
    body = check_body(BODY)
    with (
        flushed_redis(args.redis_url) as broker,
        fresh_schema(args.database_url) as url,
        tempfile.TemporaryDirectory(prefix="carepulse-bench-ingest-") as tmp,
    ):
        var_dir = Path(tmp)
        env = dict(os.environ)
        env.update(
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            DATABASE_URL=url,
            REDIS_URL=args.redis_url,
            CAREPULSE_VAR_DIR=str(var_dir),
            RATE_LIMIT_PER_MINUTE=UNREACHABLE_RATE_LIMIT,
            RATE_LIMIT_PER_ADDRESS_PER_MINUTE=UNREACHABLE_RATE_LIMIT,
        )
        body_file = var_dir / "body.json"
        body_file.write_text(body)
        load = Load(
            create_key_by_cli(env, "kiosk", "bench-ingest"), body_file, args.connections, args.wrk_threads
        )
        print(
            f"load: wrk {args.wrk_threads} threads, {args.connections} connections, POST /v1/feedback "
            f"{len(body.encode())} bytes; {args.warmup:g} s warm-up, {args.duration:g} s measured per server; "
            f"{args.workers} worker processes each, gunicorn gthread {args.threads} threads"
        )
        engine = create_engine(url)
        outcomes = []
        try:
            for contender in contenders(env, args.workers, args.threads):
                outcomes.append(
                    measure(contender, load, engine, broker, var_dir, (args.warmup, args.duration))
                )
        finally:
            engine.dispose()
    sys.exit(0 if report(outcomes) else 1)


if __name__ == "__main__":
    main()
