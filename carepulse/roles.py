"""The command lines of the production roles, shared by `serve` and `dev`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

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


INGEST_APP = "ingest.app:get_app()"


def ingest_command(bind: str, workers: int, threads: int = 32, app: str = INGEST_APP) -> list[str]:
    """gunicorn with threaded workers; each thread holds a request while its group commits
    (ingest.group_commit), so the threads per worker bound how many items share a commit.
    Its error log is JSON lines on standard error (ingest.gunicorn_logger); the app writes
    one line per request itself (ingest.correlation).
    `app` is for benchmarks that serve another app exactly the way ingest is served."""
    return [
        *(sys.executable, "-m", "gunicorn", app),
        *("--bind", bind, "--workers", str(workers)),
        *("--worker-class", "gthread", "--threads", str(threads)),
        *("--graceful-timeout", "20", "--logger-class", "ingest.gunicorn_logger.JsonLogger"),
    ]


def worker_command(
    queues: str, concurrency: int, hostname: str = "worker@%h", loglevel: str = "INFO"
) -> list[str]:
    """A worker sending task events (-E) for Flower; run it with `worker_metrics_env`.

    Without gossip and mingle: nothing here uses worker-to-worker events or the start-up
    sync, and their consumers are what breaks a reconnect to a restarted Redis (closing
    their channel on a dead connection raises AttributeError in kombu, celery#8091,
    kombu#582). Heartbeats stay: Flower tells live workers by them."""
    return celery_command(
        *("--quiet", "worker", "--queues", queues, "--concurrency", str(concurrency)),
        *("--hostname", hostname, "--loglevel", loglevel, "-E", "--without-gossip", "--without-mingle"),
    )


def worker_metrics_env(settings: Settings, port: int) -> dict[str, str]:
    """The environment a worker serves its metrics with on `port` (0: none): the pool
    children count into a fresh PROMETHEUS_MULTIPROC_DIR of their own, one per port so
    that two workers on one host never add up each other's files (`workers.metrics`)."""
    if not port:
        return {"WORKER_METRICS_PORT": "0"}
    directory = fresh_metrics_dir(settings, f"worker-{port}")
    return {"WORKER_METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": directory}


def beat_command(settings: Settings, loglevel: str = "INFO", pidfile: Path | None = None) -> list[str]:
    """Beat writes `pidfile` once it is about to schedule: `carepulse dev` waits for it.
    Production runs none: a container's pid 1 left in a kept volume would refuse a restart."""
    schedule = settings.var_dir / "celerybeat-schedule"
    pid = ("--pidfile", str(pidfile)) if pidfile else ()
    return celery_command("--quiet", "beat", "--schedule", str(schedule), "--loglevel", loglevel, *pid)


def flower_command(settings: Settings, port: int, address: str, logging: str = "info") -> list[str]:
    """Flower shows task arguments (feedback ids) and can revoke tasks: never open in production.

    Flower reads FLOWER_BASIC_AUTH from its environment itself; it stays off the command
    line, where `ps` would show the password to every user of the host."""
    if settings.environment == "production" and not settings.flower_basic_auth:
        raise SettingsError("FLOWER_BASIC_AUTH (user:password) must be set in production")
    return celery_command(
        "flower", f"--port={port}", f"--address={address}", "--persistent=False", f"--logging={logging}"
    )
