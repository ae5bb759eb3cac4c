"""`carepulse dev`: the whole system on one machine, no root, Docker or services.

SQLite under ./var, a private Redis, migrations, ingest, a worker, beat and Flower as
child processes. Ctrl-C (or any child dying) stops them all. Flower (PORT+1) asks for a
login kept in ./var unless FLOWER_BASIC_AUTH is set; the worker serves its metrics on PORT+2.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace

from carepulse.dev_keys import ensure_dev_keys, ensure_flower_login
from carepulse.private_redis import start_redis
from carepulse.roles import (
    ALL_QUEUES,
    beat_command,
    celery_command,
    flower_command,
    fresh_metrics_dir,
    ingest_command,
    worker_command,
    worker_metrics_env,
)
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from models.settings import load_settings

STOP_TIMEOUT = 15


def _wait_http(url: str, processes: list[subprocess.Popen[bytes]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a process exited during start-up; see the log above")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _wait_worker(env: dict[str, str], processes: list[subprocess.Popen[bytes]], timeout: float) -> None:
    """The worker is up once it answers a ping (it loads the urgency model first)."""
    deadline = time.monotonic() + timeout
    ping = celery_command("inspect", "ping", "--timeout", "1")
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a process exited during start-up; see the log above")
        if subprocess.run(ping, env=env, capture_output=True, check=False).returncode == 0:
            return
    raise RuntimeError(f"the worker did not answer within {timeout:.0f} s")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_dev(port: int) -> int:
    settings = load_settings()
    var_dir = settings.var_dir
    var_dir.mkdir(parents=True, exist_ok=True)
    redis_process, redis_url = start_redis(var_dir / "redis")
    public = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        REDIS_URL=redis_url,
        DATABASE_URL=settings.database_url,
        CAREPULSE_VAR_DIR=str(var_dir.resolve()),
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", public),
    )
    settings = replace(settings, redis_url=redis_url)
    ingest_env = env | {"PROMETHEUS_MULTIPROC_DIR": fresh_metrics_dir(settings, "ingest")}
    worker_env = env | worker_metrics_env(settings, port + 2)
    flower_login = settings.flower_basic_auth or ensure_flower_login(var_dir / "flower-login")
    flower_env = env | {"FLOWER_BASIC_AUTH": flower_login}
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        tokens = ensure_dev_keys(make_session_factory(engine), var_dir / "dev-keys.json")
        engine.dispose()
        for command, role_env in (
            (ingest_command(f"127.0.0.1:{port}", workers=1), ingest_env),
            (worker_command(ALL_QUEUES, concurrency=2, hostname="dev@%h"), worker_env),
            (beat_command(settings), env),
            (flower_command(settings, port + 1, address="127.0.0.1"), flower_env),
        ):
            # Own process group: the terminal's Ctrl-C reaches us, and we stop children in order.
            children.append(
                subprocess.Popen(command, env=role_env, stdin=subprocess.DEVNULL, process_group=0)
            )
        _wait_http(f"{public}/healthz", children, timeout=60)
        _wait_worker(env, children, timeout=120)
        print(
            f"\nCarePulse is running.\n"
            f"  ingest:  {public}   (OpenAPI: {public}/openapi.json)\n"
            f"  triage:  {public}/triage   (sign in with the staff key)\n"
            f"  flower:  http://127.0.0.1:{port + 1}   (login {flower_login})\n"
            f"  metrics: {public}/metrics (ingest), http://127.0.0.1:{port + 2}/metrics (worker)\n"
            f"  data:    {settings.database_url}\n"
            f"  kiosk key: {tokens['kiosk']}\n"
            f"  staff key: {tokens['staff']}\n"
            f"Press Ctrl-C to stop.\n",
            flush=True,
        )
        while not stopping:
            if any(child.poll() is not None for child in children):
                print("a process exited; stopping everything", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        _stop(children)
        _stop([redis_process])
        print("CarePulse stopped.", flush=True)
