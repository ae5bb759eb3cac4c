"""Storing what a channel brought: the feedback row, its channel rows (audio, sender,
survey, batch mapping) and the outbox row, all in one transaction.

Publishing follows the commit; if the broker is down the outbox relay publishes later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Base, Feedback, OutboxEntry, utcnow

log = logging.getLogger(__name__)


def store_feedback(factory: sessionmaker[Session], feedback: Feedback, *extras: Base) -> str:
    """Commit the feedback (its id set by the caller), the extras and its outbox row."""
    with session_scope(factory) as session:
        add_feedback(session, feedback, *extras)
    return feedback.id


def add_feedback(session: Session, feedback: Feedback, *extras: Base) -> None:
    session.add(feedback)
    session.flush()  # the extras' and the outbox row's foreign keys need the feedback first
    session.add_all([*extras, OutboxEntry(feedback_id=feedback.id)])
    session.flush()


def publish_after_commit(
    publish: Callable[[list[str]], None], factory: sessionmaker[Session], feedback_ids: list[str]
) -> None:
    """Start the chains and mark their outbox rows; any failure is left to the relay."""
    if not feedback_ids:
        return
    try:
        publish(feedback_ids)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves it to the relay
        log.warning("publish deferred to the outbox relay: %s", type(exc).__name__)
        return
    outbox = OutboxEntry.__table__  # Core: no ORM session bookkeeping for a plain UPDATE
    try:
        with session_scope(factory) as session:
            session.execute(
                update(outbox)
                .where(outbox.c.feedback_id.in_(feedback_ids), outbox.c.published_at.is_(None))
                .values(published_at=utcnow())
            )
    except Exception as exc:  # noqa: BLE001 - the relay republishes; stages are idempotent
        log.warning("could not mark outbox rows published: %s", type(exc).__name__)
