"""`carepulse dev`: the whole system on one machine, no root, Docker or services.

SQLite under ./var, a private Redis, migrations, ingest, a worker, beat and Flower as
child processes. Flower (PORT+1) asks for a login kept in ./var unless FLOWER_BASIC_AUTH is
set; the worker serves its metrics on 127.0.0.1:PORT+2. The banner with the addresses and
keys comes last, once every role answers; the worker, beat and Flower log only warnings
and errors here, so it stays on screen (Flower shows the tasks).

Nothing outlives it. SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed) stop the
roles, then Redis, which they use until they are gone. Each role has a process group of
its own: the terminal's Ctrl-C reaches only this process, and whatever is left in a
role's group after its stop is killed. If this process is SIGKILLed, or crashes, the
kernel kills the roles and stops Redis (`carepulse.parent_death`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import replace

from carepulse.dev_keys import ensure_dev_keys, ensure_flower_login
from carepulse.parent_death import dying_with_parent
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
READY_TIMEOUT = 300  # a first run trains the first urgency model and builds Matplotlib's font cache
QUIET = "WARNING"  # the routine lines of beat's schedule and the worker's tasks would bury the banner


class StopRequest:
    """SIGINT, SIGTERM and SIGHUP ask for a stop; the main loop stops everything in order."""

    def __init__(self) -> None:
        self.asked = False
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._ask)

    def _ask(self, _signum: int, _frame: object) -> None:
        self.asked = True


class StartFailed(Exception):
    """A role exited, or did not answer, during start-up."""


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A role in a process group of its own, killed by the kernel if we die unannounced."""
    return subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        process_group=0,
        preexec_fn=dying_with_parent(signal.SIGKILL),
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _worker_answers(env: dict[str, str]) -> bool:
    """The worker answers a ping once it is ready (it loads the urgency model first)."""
    ping = celery_command("inspect", "ping", "--timeout", "1")
    answered = subprocess.run(
        ping, env=env, capture_output=True, check=False, preexec_fn=dying_with_parent(signal.SIGKILL)
    )
    return answered.returncode == 0


def _wait_ready(
    checks: dict[str, Callable[[], bool]], children: list[subprocess.Popen[bytes]], stop: StopRequest
) -> bool:
    """Poll every role until each has answered once; False when a stop is asked first."""
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = dict(checks)
    while waiting:
        if stop.asked:
            return False
        if any(child.poll() is not None for child in children):
            raise StartFailed("a process exited during start-up; see the log above")
        waiting = {role: check for role, check in waiting.items() if not check()}
        if waiting and time.monotonic() > deadline:
            raise StartFailed(f"no answer within {READY_TIMEOUT} s from: {', '.join(waiting)}")
        if waiting:
            time.sleep(0.2)
    return True


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each, wait for them, then kill whatever is left in each one's process group."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_dev(port: int) -> int:
    stop = StopRequest()
    settings = load_settings()
    var_dir = settings.var_dir
    var_dir.mkdir(parents=True, exist_ok=True)
    redis_process, redis_url = start_redis(var_dir / "redis")
    public = f"http://127.0.0.1:{port}"
    flower = f"http://127.0.0.1:{port + 1}"
    env = dict(
        os.environ,
        REDIS_URL=redis_url,
        DATABASE_URL=settings.database_url,
        CAREPULSE_VAR_DIR=str(var_dir.resolve()),
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", public),
    )
    settings = replace(settings, redis_url=redis_url)
    children: list[subprocess.Popen[bytes]] = []
    try:
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        tokens = ensure_dev_keys(make_session_factory(engine), var_dir / "dev-keys.json")
        engine.dispose()
        ingest_env = env | {"PROMETHEUS_MULTIPROC_DIR": fresh_metrics_dir(settings, "ingest")}
        worker_env = env | worker_metrics_env(settings, port + 2) | {"WORKER_METRICS_ADDRESS": "127.0.0.1"}
        flower_login = settings.flower_basic_auth or ensure_flower_login(var_dir / "flower-login")
        beat_pidfile = var_dir / "celerybeat.pid"
        beat_pidfile.unlink(missing_ok=True)  # a killed run's: its pid may belong to another process now
        if stop.asked:
            return 0
        print(
            "Starting ingest, a worker, beat and Flower; the addresses and keys follow once every"
            " one answers (a minute or so: the worker loads its urgency model first).",
            flush=True,
        )
        for command, role_env in (
            (ingest_command(f"127.0.0.1:{port}", workers=1), ingest_env),
            (worker_command(ALL_QUEUES, concurrency=2, hostname="dev@%h", loglevel=QUIET), worker_env),
            (beat_command(settings, loglevel=QUIET, pidfile=beat_pidfile), env),
            (
                # error: its warnings that the worker does not answer yet are start-up noise
                flower_command(settings, port + 1, "127.0.0.1", logging="error"),
                env | {"FLOWER_BASIC_AUTH": flower_login},
            ),
        ):
            children.append(_start(command, role_env))
        ready = _wait_ready(
            {
                "ingest": lambda: _answers(f"{public}/healthz"),
                "beat": beat_pidfile.exists,
                "flower": lambda: _answers(f"{flower}/healthcheck"),
                "worker": lambda: _worker_answers(env),
            },
            children,
            stop,
        )
        if ready:
            print(
                f"\nCarePulse is running.\n"
                f"  ingest:  {public}   (OpenAPI: {public}/openapi.json)\n"
                f"  triage:  {public}/triage   (sign in with the staff key)\n"
                f"  flower:  {flower}   (login {flower_login})\n"
                f"  metrics: {public}/metrics (ingest), http://127.0.0.1:{port + 2}/metrics (worker)\n"
                f"  data:    {settings.database_url}\n"
                f"  kiosk key: {tokens['kiosk']}\n"
                f"  staff key: {tokens['staff']}\n"
                f"Press Ctrl-C to stop.\n",
                flush=True,
            )
        while not stop.asked:
            if any(child.poll() is not None for child in children):
                print("a process exited; stopping everything", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except StartFailed as exc:
        print(f"carepulse dev: {exc}", file=sys.stderr)
        return 1
    finally:
        _stop(children)
        _stop([redis_process])  # last: the worker, beat and Flower log errors without it
        print("CarePulse stopped.", flush=True)
