"""An ingest app over a real database and a real Celery publisher on the test Redis."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis
from celery import Celery
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from ingest.app import create_app
from models.db import session_scope
from models.keys import create_key
from models.settings import load_settings
from workers.chains import CeleryPublisher


def make_client(sessions: sessionmaker[Session], publisher: CeleryPublisher) -> testing.TestClient:
    settings = replace(load_settings(), key_cache_seconds=0)
    return testing.TestClient(create_app(settings, sessions, publisher))


@pytest.fixture
def client(sessions: sessionmaker[Session], redis_client: redis.Redis) -> testing.TestClient:
    return make_client(sessions, CeleryPublisher())


@pytest.fixture
def keys(sessions: sessionmaker[Session]) -> dict[str, str]:
    with session_scope(sessions) as session:
        return {role: create_key(session, f"test-{role}", role) for role in ("kiosk", "staff", "admin")}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def unreachable_broker() -> Iterator[CeleryPublisher]:
    """A publisher whose broker refuses connections, as when Redis is down."""
    app = Celery("broker-down")
    app.config_from_object("celeryconfig")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield CeleryPublisher(app)
    app.close()
