"""`carepulse dev` leaves no process behind, however it ends: SIGINT (Ctrl-C), SIGTERM,
SIGHUP (its terminal closed) or SIGKILL. A run's processes are ingest and its worker, the
Celery worker and its pool, beat, Flower and the private Redis; each is found by the run's
own var dir, in its environment or, for Redis (which overwrites its environment with its
title), as its working directory."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from carepulse.dev import READY_TIMEOUT
from carepulse.private_redis import free_port
from tests.support.polling import wait_until

STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL)
# carepulse dev, Redis, gunicorn's master and worker, the Celery worker and its 2 pool
# children, beat, Flower
PROCESSES_OF_A_RUN = 9
READY = "Press Ctrl-C"


@dataclass
class DevRun:
    process: subprocess.Popen[bytes]
    var_dir: Path
    log: Path


def dev_env(var_dir: Path) -> dict[str, str]:
    """What `make run` gives it: no database or broker of the suite's, a var dir of its own."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    return env | {"CAREPULSE_VAR_DIR": str(var_dir)}


def start_dev(directory: Path, prepared: Path) -> DevRun:
    """`carepulse dev` on free ports, in a copy of the `prepared` var dir."""
    var_dir = directory / "var"
    shutil.copytree(prepared, var_dir)
    env = dev_env(var_dir)
    log = directory / "dev.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "carepulse.cli", "dev", "--port", str(free_port())],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return DevRun(process, var_dir, log)


def processes_of(var_dir: Path) -> list[psutil.Process]:
    """Every live (not zombie) process of the run that uses `var_dir`."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            if process.environ().get("CAREPULSE_VAR_DIR") == str(var_dir) or Path(
                process.cwd()
            ).is_relative_to(var_dir):
                found.append(process)
        except psutil.Error:  # gone meanwhile, or not ours to read
            continue
    return found


def described(processes: list[psutil.Process]) -> list[str]:
    """Their command lines, for a failure's message (those that ended meanwhile are left out)."""
    lines = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            lines.append(" ".join(process.cmdline()[:8]))
    return lines


@pytest.fixture(scope="module")
def dev_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[signal.Signals, DevRun]]:
    """One run per way of ending it, each with its own ports and var dir, all started at
    once: the tests share the wait for start-up. Each var dir is a copy of one migrated
    with its first urgency model trained (`carepulse migrate`), the slow part of a first
    run that test_dev_command covers."""
    prepared = tmp_path_factory.mktemp("prepared") / "var"
    subprocess.run(
        [sys.executable, "-m", "carepulse.cli", "migrate"],
        env=dev_env(prepared),
        check=True,
        capture_output=True,
        timeout=240,
    )
    runs = {signum: start_dev(tmp_path_factory.mktemp(signum.name), prepared) for signum in STOPS}
    yield runs
    for run in runs.values():  # a failed test's leftovers (carepulse dev included) must not stay
        for process in processes_of(run.var_dir):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        run.process.wait(timeout=10)


@pytest.mark.timeout(600)  # the first one includes the module's start-up
@pytest.mark.parametrize("signum", STOPS, ids=lambda signum: signum.name)
def test_dev_leaves_no_process_behind(dev_runs: dict[signal.Signals, DevRun], signum: signal.Signals) -> None:
    run = dev_runs[signum]
    wait_until(
        lambda: READY in run.log.read_text(), READY_TIMEOUT, f"dev never became ready; see {run.log}", 0.5
    )
    running = processes_of(run.var_dir)
    assert len(running) == PROCESSES_OF_A_RUN, described(running)

    run.process.send_signal(signum)
    try:
        wait_until(lambda: not processes_of(run.var_dir), 30, "processes left behind", 0.2)
    except AssertionError:
        left = described(processes_of(run.var_dir))
        raise AssertionError(f"left behind after {signum.name}: {left}") from None

    code = run.process.wait(timeout=10)
    if signum == signal.SIGKILL:
        assert code == -signal.SIGKILL
        return
    assert code == 0
    printed = run.log.read_text()
    assert printed.rstrip().endswith("CarePulse stopped.")
    for noise in ('"level": "ERROR"', '"level": "CRITICAL"', "Traceback", "[E "):
        assert noise not in printed
