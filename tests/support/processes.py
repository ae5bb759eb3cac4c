"""Running CarePulse roles as real processes, the way production runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from carepulse.private_redis import free_port
from tests.support.polling import wait_until


def role_env(database_url: str, redis_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CAREPULSE_VAR_DIR=str(var_dir),
        OUTBOX_SWEEP_SECONDS="1",
        OUTBOX_GRACE_SECONDS="1",
        KEY_CACHE_SECONDS="0",
        WORKER_METRICS_PORT="0",  # tests that scrape a worker give it a free port
        PUBLISH_WINDOW_MS="200",  # production's, whatever the in-process tests use
    )
    env.update(extra)
    return env


class Role:
    """One `carepulse serve ROLE` process in a process group of its own."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Role:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "carepulse.cli", "serve", *self.args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        return self

    def kill(self) -> None:
        """SIGKILL the whole group: the main process and every pool child at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def listening_addresses(ports: range) -> set[str]:
    """The addresses anything on this machine listens on at these TCP ports."""
    return {
        connection.laddr.ip
        for connection in psutil.net_connections("tcp")
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port in ports
    }


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def running(*roles: Role) -> Iterator[tuple[Role, ...]]:
    started = [role.start() for role in roles]
    try:
        yield tuple(started)
    finally:
        for role in reversed(started):
            role.stop()


def ingest_role(env: dict[str, str], log_dir: Path) -> tuple[Role, str]:
    port = free_port()
    role = Role(["ingest", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env, log_dir / "ingest.log")
    return role, f"http://127.0.0.1:{port}"


def wait_healthy(base_url: str, timeout: float = 30) -> None:
    wait_until(lambda: healthy(f"{base_url}/healthz"), timeout, f"{base_url} never became healthy")


def run_cli(env: dict[str, str], *args: str) -> str:
    """One `carepulse` command, as an operator types it; its standard output."""
    result = subprocess.run(
        [sys.executable, "-m", "carepulse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def create_key_by_cli(env: dict[str, str], kind: str, name: str, *extra: str) -> str:
    """`carepulse keys create`: the token is alone on the last line of stdout."""
    return run_cli(env, "keys", "create", kind, name, *extra).strip().splitlines()[-1]
