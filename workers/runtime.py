"""What a worker process holds for its tasks: settings, one engine, and the clients
configuration picks. Built lazily, rebuilt after fork (see `workers.signals`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory, session_scope
from models.settings import Settings, load_settings
from pipelines.alerts import AlertTargets
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.result import Analyzer
from pipelines.clients.messaging import OfflineSender, Sender


@cache
def settings() -> Settings:
    return load_settings()


@cache
def engine() -> Engine:
    return make_engine(settings().database_url)


@cache
def _session_factory() -> sessionmaker[Session]:
    return make_session_factory(engine())


@contextmanager
def task_session() -> Iterator[Session]:
    """One session per task: commit on success, roll back on error, always close."""
    with session_scope(_session_factory()) as session:
        yield session


@cache
def analyzer() -> Analyzer:
    return LocalAnalyzer()


@cache
def sender() -> Sender:
    return OfflineSender()


@cache
def alert_targets() -> AlertTargets:
    s = settings()
    return AlertTargets(sms_to=s.oncall_sms_to, email_to=s.oncall_email_to, link_base=s.public_base_url)


def reset_after_fork() -> None:
    """A forked child must not share its parent's database connections."""
    if engine.cache_info().currsize:
        engine().dispose(close=False)
