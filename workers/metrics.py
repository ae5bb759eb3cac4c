"""Worker metrics: each task's run time and items, and the worker's /metrics endpoint.

Tasks run in the pool's child processes, which count into PROMETHEUS_MULTIPROC_DIR
(`carepulse serve worker` gives each worker a fresh one); the main process serves the
sum of every child, living or dead, on WORKER_METRICS_ADDRESS:WORKER_METRICS_PORT (all
interfaces unless told; `carepulse dev` keeps it on loopback). The figures themselves are
defined in `pipelines.telemetry`.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from celery.signals import task_postrun, task_prerun, worker_init, worker_process_shutdown
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

from pipelines.telemetry import observe_task
from workers import runtime

log = logging.getLogger(__name__)

_started: dict[str, float] = {}  # task id → perf_counter at start, in this process


@task_prerun.connect
def _start_clock(task_id: str, **_: object) -> None:
    _started[task_id] = time.perf_counter()


@task_postrun.connect
def _observe(task_id: str, task: Any, args: Any = None, state: str | None = None, **_: object) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        observe_task(task.name, (state or "unknown").lower(), time.perf_counter() - started, _items(args))


def _items(args: Any) -> int:
    """Pipeline tasks take their feedback ids as the first argument."""
    first = args[0] if args else None
    return len(first) if isinstance(first, list | tuple) else 0


@worker_init.connect
def _serve_metrics(**_: object) -> None:
    """In the main process, before the pool forks; the server thread stays with it."""
    port = runtime.settings().worker_metrics_port
    if not port:
        return
    registry = REGISTRY  # a solo or threads pool counts in this very process
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    try:
        start_http_server(port, addr=runtime.settings().worker_metrics_address, registry=registry)
    except OSError as exc:
        # Celery configures logging only after this signal: Python's last-resort handler
        # still prints an error to stderr.
        log.error("worker metrics: cannot listen on port %d (%s); serving none", port, exc.strerror)


@worker_process_shutdown.connect
def _forget_child(pid: int | None = None, **_: object) -> None:
    """Drop a stopped child's live gauges; its counters and histograms stay in the sum."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid or os.getpid())
