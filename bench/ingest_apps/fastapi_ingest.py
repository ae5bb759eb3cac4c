"""CarePulse's kiosk ingest written the usual FastAPI way, for bench/ingest.py to compare
ours with: bearer key checked by `models.keys.find_key` behind a small cache, body
validated by ingest's own `FeedbackIn`, the feedback row and its outbox row committed in
one SQLAlchemy transaction, then the chain published and the outbox row marked, as ingest
does. A sync endpoint: FastAPI runs it on its thread pool, as it would any blocking
SQLAlchemy code. Served by `uvicorn --loop uvloop --http httptools` (`pip install -e '.[bench]'`).

No `from __future__ import annotations`: FastAPI reads the endpoints' annotations at import.
"""

import hashlib
import logging
import time
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import update

from ingest.schemas import FeedbackIn
from models.db import make_engine, make_session_factory, session_scope
from models.keys import find_key
from models.settings import load_settings
from models.tables import Feedback, OutboxEntry, new_id, utcnow
from pipelines.urgency.rules import needs_fast_lane
from workers.app import app as celery_app
from workers.chains import CeleryPublisher

log = logging.getLogger(__name__)

settings = load_settings()
sessions = make_session_factory(make_engine(settings.database_url))
celery_app.conf.task_send_sent_event = False  # as ingest.app.get_app: no task-sent event per publish
publisher = CeleryPublisher()
bearer = HTTPBearer()
app = FastAPI(title="CarePulse ingest, FastAPI version")


class KeyCache:
    """Key ids by token digest for KEY_CACHE_SECONDS, as ingest's Authenticator keeps them."""

    def __init__(self, seconds: int) -> None:
        self._seconds = seconds
        self._keys: dict[str, tuple[str, float]] = {}

    def get(self, digest: str) -> str | None:
        found = self._keys.get(digest)
        return found[0] if found and found[1] > time.monotonic() else None

    def put(self, digest: str, key_id: str) -> None:
        self._keys[digest] = (key_id, time.monotonic() + self._seconds)


keys = KeyCache(settings.key_cache_seconds)


def _look_up(token: str) -> str | None:
    with sessions() as session:
        key = find_key(session, token)
        return key.id if key is not None else None


async def submitting_key(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> str:
    """The caller's key id, or 401. Async, so that a cached key costs no thread hop."""
    digest = hashlib.sha256(credentials.credentials.encode()).hexdigest()
    key_id = keys.get(digest)
    if key_id is None:
        key_id = await run_in_threadpool(_look_up, credentials.credentials)
        if key_id is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "The key is unknown or revoked.")
        keys.put(digest, key_id)
    return key_id


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/feedback", status_code=status.HTTP_202_ACCEPTED)
def create_feedback(data: FeedbackIn, key_id: Annotated[str, Depends(submitting_key)]) -> dict[str, str]:
    feedback_id = new_id()
    with session_scope(sessions) as session:
        session.add(Feedback(id=feedback_id, api_key_id=key_id, **data.model_dump()))
        session.flush()  # the outbox row's foreign key needs the feedback row first
        session.add(OutboxEntry(feedback_id=feedback_id))
    publish = publisher.publish_urgent if needs_fast_lane(data.text, data.language) else publisher.publish
    try:
        publish([feedback_id])
    except Exception as exc:  # noqa: BLE001 - as in ingest: the outbox relay publishes it later
        log.warning("publish deferred to the outbox relay: %s", type(exc).__name__)
    else:
        with session_scope(sessions) as session:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.feedback_id == feedback_id, OutboxEntry.published_at.is_(None))
                .values(published_at=utcnow())
            )
    return {"id": feedback_id, "status": "received"}
