"""The ingest app with Twilio configured, over a real database and Redis, and helpers
that sign webhooks the way Twilio does (with the SDK's own RequestValidator)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from falcon import testing
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from ingest.app import create_app
from models.db import session_scope
from models.keys import create_key
from models.settings import Settings, load_settings
from workers.chains import CeleryPublisher

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://feedback.hospital.example"
AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"


def channel_settings(**overrides: object) -> Settings:
    return replace(
        load_settings(),
        key_cache_seconds=0,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        public_base_url=PUBLIC_BASE_URL,
        **overrides,
    )


def make_client(sessions: sessionmaker[Session], **overrides: object) -> testing.TestClient:
    return testing.TestClient(create_app(channel_settings(**overrides), sessions, CeleryPublisher()))


@pytest.fixture
def client(sessions: sessionmaker[Session], redis_client: redis.Redis) -> testing.TestClient:
    return make_client(sessions)


@pytest.fixture
def kiosk_key(sessions: sessionmaker[Session]) -> str:
    with session_scope(sessions) as session:
        return create_key(session, "lobby-kiosk", "kiosk")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_signed(client: testing.TestClient, path: str, form: dict[str, str], token: str = AUTH_TOKEN):  # type: ignore[no-untyped-def]
    """POST a form as Twilio does, signed over PUBLIC_BASE_URL + path."""
    signature = RequestValidator(token).compute_signature(f"{PUBLIC_BASE_URL}{path}", form)
    return client.simulate_post(
        path,
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )


def count(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(table))
