"""Accepting feedback: the feedback row and its outbox row in one transaction.

Nothing is published here; the caller publishes after the commit, and the outbox
relay publishes whatever that missed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ingest.schemas import FeedbackIn
from models.db import session_scope
from models.tables import Feedback, OutboxEntry, new_id, utcnow


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different body."""


@dataclass(frozen=True)
class Accepted:
    feedback_id: str
    created: bool


def _request_hash(data: FeedbackIn) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _existing(session: Session, key_id: str, idempotency_key: str, digest: str) -> Accepted:
    row = session.execute(
        select(Feedback.id, Feedback.request_hash).where(
            Feedback.api_key_id == key_id, Feedback.idempotency_key == idempotency_key
        )
    ).first()
    if row is None:
        raise LookupError("idempotency key vanished")
    if row.request_hash != digest:
        raise IdempotencyConflict
    return Accepted(row.id, created=False)


def accept_feedback(
    factory: sessionmaker[Session],
    data: FeedbackIn,
    key_id: str,
    idempotency_key: str | None = None,
) -> Accepted:
    """Store the feedback and its outbox row, committed, or raise; nothing half-stored."""
    digest = _request_hash(data)
    if idempotency_key:
        with session_scope(factory) as session:
            found = session.scalar(
                select(Feedback.id).where(
                    Feedback.api_key_id == key_id, Feedback.idempotency_key == idempotency_key
                )
            )
            if found is not None:
                return _existing(session, key_id, idempotency_key, digest)
    feedback_id = new_id()
    try:
        with session_scope(factory) as session:
            session.add(
                Feedback(
                    id=feedback_id,
                    api_key_id=key_id,
                    idempotency_key=idempotency_key,
                    request_hash=digest,
                    **data.model_dump(),
                )
            )
            session.flush()  # the outbox row's foreign key needs the feedback row first
            session.add(OutboxEntry(feedback_id=feedback_id))
    except IntegrityError:
        if not idempotency_key:
            raise
        # A concurrent request with the same key won the race: answer with its id.
        with session_scope(factory) as session:
            return _existing(session, key_id, idempotency_key, digest)
    return Accepted(feedback_id, created=True)


def mark_published(factory: sessionmaker[Session], feedback_id: str) -> None:
    """Tell the relay this item reached the broker, so it is not published twice."""
    with session_scope(factory) as session:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.feedback_id == feedback_id, OutboxEntry.published_at.is_(None))
            .values(published_at=utcnow())
        )
