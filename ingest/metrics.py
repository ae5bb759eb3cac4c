"""Prometheus metrics of ingest: requests by route and status with latency histograms,
items by pipeline status, staff pages by channel and status, unacknowledged critical
pages and the age of the oldest, open dead letters by task, and the depth of every
Celery queue (Flower has none).

Under gunicorn each worker process counts on its own; with PROMETHEUS_MULTIPROC_DIR set
(`carepulse serve ingest` sets it) the scrape adds them up across processes.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Iterator
from typing import Protocol

import falcon
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.dead_letters import DeadLetter
from models.oncall import Escalation
from models.reminders import Reminder
from models.tables import Alert, Feedback, utcnow

log = logging.getLogger(__name__)

REQUESTS = Counter("carepulse_http_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram(
    "carepulse_http_request_duration_seconds",
    "Time from request to response",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class MetricsMiddleware:
    """Counts every request under its route template, so ids never explode the labels."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        route = req.uri_template or "unmatched"
        status = resp.status.split(" ", 1)[0] if isinstance(resp.status, str) else str(resp.status)
        REQUESTS.labels(route, req.method, status).inc()
        started = getattr(req.context, "started", None)
        if started is not None:
            LATENCY.labels(route, req.method).observe(time.perf_counter() - started)


class QueueGauge(Protocol):
    def queue_depths(self) -> dict[str, int]: ...


class PipelineCollector(Collector):
    """Read at scrape time: items per status from the database, queue depths from Redis."""

    def __init__(self, sessions: sessionmaker[Session], broker: QueueGauge) -> None:
        self._sessions = sessions
        self._broker = broker

    def collect(self) -> Iterator[GaugeMetricFamily]:
        items = GaugeMetricFamily(
            "carepulse_feedback_items", "Feedback items by pipeline status", labels=["status"]
        )
        pages = GaugeMetricFamily(
            "carepulse_alerts", "Staff pages by channel and status", labels=["channel", "status"]
        )
        outreach = GaugeMetricFamily(
            "carepulse_reminders",
            "Reminders and survey invitations by channel and status",
            labels=["channel", "status"],
        )
        open_pages = GaugeMetricFamily(
            "carepulse_open_pages", "Critical items paged and not yet acknowledged"
        )
        oldest = GaugeMetricFamily(
            "carepulse_oldest_open_page_seconds", "Age of the oldest unacknowledged critical page (0: none)"
        )
        dead = GaugeMetricFamily(
            "carepulse_dead_letters", "Tasks that gave up for good, not replayed yet", labels=["task"]
        )
        try:
            with self._sessions() as session:
                for status, count in session.execute(
                    select(Feedback.status, func.count()).group_by(Feedback.status)
                ):
                    items.add_metric([status], count)
                for channel, status, count in session.execute(
                    select(Alert.channel, Alert.status, func.count()).group_by(Alert.channel, Alert.status)
                ):
                    pages.add_metric([channel, status], count)
                for channel, status, count in session.execute(
                    select(Reminder.channel, Reminder.status, func.count()).group_by(
                        Reminder.channel, Reminder.status
                    )
                ):
                    outreach.add_metric([channel, status], count)
                count, first = session.execute(
                    select(func.count(), func.min(Escalation.created_at))
                    .join(Feedback, Feedback.id == Escalation.feedback_id)
                    .where(Feedback.acknowledged_at.is_(None))
                ).one()
                open_pages.add_metric([], count)
                oldest.add_metric([], (utcnow() - first).total_seconds() if first else 0)
                for task, letters in session.execute(
                    select(DeadLetter.task_name, func.count())
                    .where(DeadLetter.replayed_at.is_(None))
                    .group_by(DeadLetter.task_name)
                ):
                    dead.add_metric([task], letters)
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail because one source is down
            log.warning("metrics: database unavailable: %s", type(exc).__name__)
        yield from (items, pages, outreach, open_pages, oldest, dead)
        depth = GaugeMetricFamily(
            "carepulse_queue_depth", "Messages waiting in each Celery queue", labels=["queue"]
        )
        try:
            for queue, count in self._broker.queue_depths().items():
                depth.add_metric([queue], count)
        except Exception as exc:  # noqa: BLE001 - same: report what can be read
            log.warning("metrics: broker unavailable: %s", type(exc).__name__)
        yield depth


class MetricsResource:
    def __init__(self, collector: PipelineCollector, token: str | None) -> None:
        self._collector = collector
        self._token = token

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._token:
            given = (req.get_header("Authorization") or "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), self._token.encode()):
                raise falcon.HTTPUnauthorized(
                    title="Unauthorized", description="Send Authorization: Bearer <METRICS_TOKEN>."
                )
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)
        else:
            registry.register(REQUESTS)
            registry.register(LATENCY)
        registry.register(self._collector)
        resp.content_type = "text/plain; version=0.0.4; charset=utf-8"
        resp.text = generate_latest(registry).decode()
