"""What the bench scripts share: the machine line, a migrated PostgreSQL schema of their own,
a server command run in a process group of its own, and CPU time read from /proc."""

from __future__ import annotations

import os
import platform
import signal
import statistics
import subprocess
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from models.migrate import upgrade
from tests.support.processes import Role

ROOT = Path(__file__).resolve().parent.parent

SHARED = {"postgres": "PostgreSQL (all sessions)", "redis-server": "Redis (all clients)"}


def machine() -> str:
    """The line every bench prints first: its figures only mean something beside it."""
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or platform.machine(),
    )
    return (
        f"{platform.node()} {platform.machine()} {model}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def pg_schema_url(base: str, schema: str) -> str:
    """The URL of `schema` alone, as tests/conftest.py builds it."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_schema(base_url: str) -> Iterator[str]:
    """A new, migrated PostgreSQL schema of `base_url` (its URL), dropped afterwards, so a
    bench never touches another session's tables."""
    schema = f"cp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = pg_schema_url(base_url, schema)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def flushed_redis(url: str) -> Iterator[redis.Redis]:
    """The bench's own Redis database, emptied before and after: no chain of one run is
    left for the next."""
    broker = redis.Redis.from_url(url)
    broker.flushdb()
    try:
        yield broker
    finally:
        broker.flushdb()
        broker.close()


class Server:
    """One server command in a process group of its own, so that stopping it stops every
    worker it forked; its output goes to `log_path`. It runs in the repository's root:
    servers put their working directory first on sys.path, and from bench/ the
    `ingest` package would be shadowed by bench/ingest.py."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.command = command
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=ROOT,
                start_new_session=True,
            )
        return self

    def wait_healthy(self, url: str, timeout: float = 60) -> None:
        """Until `url` answers 200; fail at once with the log's tail if the server exits."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise SystemExit(f"{self.command[:4]} exited with {self.process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{url} not healthy within {timeout:.0f} s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """CPU time of the group so far (see `cpu_seconds`)."""
        assert self.process is not None
        group = self.process.pid
        return cpu_seconds(lambda pgid, _command: pgid == group)

    def stop(self) -> None:
        """SIGTERM to the group lets the server stop its workers gracefully; SIGKILL if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _process_ticks() -> Iterator[tuple[int, int, str, int]]:
    """(pid, process group, command, CPU ticks with reaped children) of every live process.
    A process that exits between two readings drops out of the count."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:  # the process ended meanwhile
            continue
        pid, command = head.split(" (", 1)
        fields = tail.split()
        yield (
            int(pid),
            int(fields[2]),
            command,
            sum(int(value) for value in fields[11:15]),
        )  # utime stime cutime cstime


def cpu_seconds(selected: Callable[[int, str], bool]) -> float:
    """User and system CPU seconds of the live processes for which
    `selected(process_group_id, command_name)` is true."""
    ticks = sum(ticks for _pid, group, command, ticks in _process_ticks() if selected(group, command))
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_by_name(roles: Mapping[str, Role]) -> dict[str, float]:
    """CPU seconds so far of each running role's process group, of PostgreSQL and Redis
    (every client, not only ours), of this script, and of the whole machine ("machine
    total" over all cores, "machine busy"), for `cpu_report`."""
    groups = {role.process.pid: name for name, role in roles.items() if role.process}
    ticks: dict[str, int] = defaultdict(int)
    for pid, group, command, used in _process_ticks():
        name = (
            "load generator (this script)" if pid == os.getpid() else groups.get(group) or SHARED.get(command)
        )
        if name:
            ticks[name] += used
    cpu = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    ticks["machine total"] = sum(cpu)  # user nice system idle iowait irq softirq steal
    ticks["machine busy"] = sum(cpu) - cpu[3] - cpu[4]
    return {name: count / os.sysconf("SC_CLK_TCK") for name, count in ticks.items()}


def cpu_report(before: dict[str, float], after: dict[str, float], items: int) -> None:
    """Where the CPU went between two `cpu_by_name` readings, per item, biggest first."""
    used = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in after}
    cores = os.cpu_count() or 1
    wall = used.pop("machine total") / cores
    busy = used.pop("machine busy")
    print(f"CPU over {wall:.1f} s (machine busy {busy / wall / cores:.0%} of {cores} cores), per item:")
    for name, seconds in sorted(used.items(), key=lambda kv: -kv[1]):
        print(f"  {name}: {seconds / items * 1000:.2f} ms ({seconds:.1f} s)")
    print(f"  everything else on the machine: {(busy - sum(used.values())) / items * 1000:.2f} ms")


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1-99) of `values`."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
