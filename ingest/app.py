"""The ingest app. `create_app` builds it from what it is given (tests pass their own);
`get_app` reads the environment and is what gunicorn serves.
"""

from __future__ import annotations

import falcon
from sqlalchemy.orm import Session, sessionmaker

from ingest.admin_resources import add_admin_routes
from ingest.analytics import AnalyticsSummary, AnalyticsTrends
from ingest.auth import Authenticator
from ingest.channel_routes import ChannelPublisher, add_channel_routes
from ingest.correlation import RequestLog
from ingest.errors import handle_unexpected
from ingest.feedback_list import FeedbackExport, FeedbackList
from ingest.feedback_resource import FeedbackCollection, FeedbackItem
from ingest.health import Health, Pingable, Ready
from ingest.metrics import MetricsMiddleware, MetricsResource, PipelineCollector, QueueGauge
from ingest.openapi import OpenApi
from ingest.rate_limit import RateLimiter, address_of, redis_client
from ingest.reminder_resources import add_reminder_routes
from ingest.training_reports import TrainingRunReport
from ingest.triage_page import add_triage_routes
from models.db import make_engine, make_session_factory
from models.settings import Settings, load_settings
from pipelines.oncall import Roster
from pipelines.reminders.policy import ReminderPolicy
from workers.app import app as celery_app
from workers.chains import CeleryPublisher


class BrokerPublisher(ChannelPublisher, Pingable, QueueGauge):
    """What ingest needs of the broker: publish text and audio chains, answer a ping, count queues."""


def create_app(
    settings: Settings, session_factory: sessionmaker[Session], publisher: BrokerPublisher
) -> falcon.App:
    limits = redis_client(settings.redis_url)
    app = falcon.App(
        middleware=[
            RequestLog(),
            MetricsMiddleware(),
            RateLimiter(limits, settings.rate_limit_per_address, caller=address_of, per="address"),
            RateLimiter(limits, settings.rate_limit_per_minute),
        ]
    )
    app.add_error_handler(Exception, handle_unexpected)
    auth = Authenticator(session_factory, settings.key_cache_seconds)
    policy = ReminderPolicy.from_settings(settings)
    app.add_route("/healthz", Health())
    app.add_route("/readyz", Ready(session_factory, publisher))
    app.add_route("/openapi.json", OpenApi())
    app.add_route(
        "/metrics", MetricsResource(PipelineCollector(session_factory, publisher), settings.metrics_token)
    )
    app.add_route(
        "/v1/feedback",
        FeedbackCollection(
            auth,
            session_factory,
            publisher,
            settings.max_body_bytes,
            FeedbackList(auth, session_factory),
            settings.publish_window_ms / 1000,
        ),
    )
    app.add_route("/v1/feedback/export.csv", FeedbackExport(auth, session_factory))
    app.add_route("/v1/feedback/{feedback_id}", FeedbackItem(auth, session_factory))
    reports = TrainingRunReport(auth, session_factory)
    app.add_route("/v1/training/runs/{run_id}", reports)
    app.add_route("/v1/training/runs/{run_id}/{image}", reports, suffix="image")
    app.add_route(
        "/v1/analytics/summary", AnalyticsSummary(auth, session_factory, settings.analytics_min_sample)
    )
    app.add_route(
        "/v1/analytics/trends", AnalyticsTrends(auth, session_factory, settings.analytics_min_sample)
    )
    add_channel_routes(app, settings, session_factory, publisher, auth, policy)
    add_triage_routes(app, auth, session_factory)
    add_admin_routes(app, auth, session_factory, Roster.from_settings(settings))
    add_reminder_routes(app, auth, session_factory, policy, settings.max_import_bytes)
    return app


def get_app() -> falcon.App:
    """The production app: settings from the environment, the Celery publisher."""
    settings = load_settings()
    # Ingest publishes at the rate patients write: a task-sent event per chain would double
    # its broker writes, and Flower sees every task anyway once a worker receives it.
    celery_app.conf.task_send_sent_event = False
    return create_app(settings, make_session_factory(make_engine(settings.database_url)), CeleryPublisher())
