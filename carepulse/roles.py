"""The command lines of the production roles, shared by `serve` and `dev`."""

from __future__ import annotations

import shutil
import sys

from models.settings import Settings, SettingsError

ALL_QUEUES = "relay,asr,llm,scoring,notify,outreach,training"


def celery_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.app", *args]


def fresh_metrics_dir(settings: Settings, role: str) -> str:
    """An empty PROMETHEUS_MULTIPROC_DIR: counts left by a previous run would be added in."""
    directory = settings.var_dir.resolve() / f"prometheus-{role}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return str(directory)


def ingest_command(bind: str, workers: int, threads: int = 4) -> list[str]:
    """gunicorn with threaded workers; each thread holds a request while the DB commits."""
    return [
        *(sys.executable, "-m", "gunicorn", "ingest.app:get_app()"),
        *("--bind", bind, "--workers", str(workers)),
        *("--worker-class", "gthread", "--threads", str(threads)),
        *("--graceful-timeout", "20", "--access-logfile", "-"),
    ]


def worker_command(queues: str, concurrency: int, hostname: str = "worker@%h") -> list[str]:
    return celery_command(
        *("worker", "--queues", queues, "--concurrency", str(concurrency)),
        *("--hostname", hostname, "--loglevel", "INFO", "-E"),
    )


def beat_command(settings: Settings) -> list[str]:
    schedule = settings.var_dir / "celerybeat-schedule"
    return celery_command("beat", "--schedule", str(schedule), "--loglevel", "INFO")


def flower_command(settings: Settings, port: int, address: str = "0.0.0.0") -> list[str]:
    """Flower shows task arguments (feedback ids) and can revoke tasks: never open in production."""
    if settings.environment == "production" and not settings.flower_basic_auth:
        raise SettingsError("FLOWER_BASIC_AUTH (user:password) must be set in production")
    command = celery_command("flower", f"--port={port}", f"--address={address}", "--persistent=False")
    if settings.flower_basic_auth:
        command.append(f"--basic-auth={settings.flower_basic_auth}")
    return command
