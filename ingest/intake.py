"""Accepting feedback: the feedback rows and their outbox rows in one transaction.

Nothing is published here; the caller publishes after the commit, and the outbox
relay publishes whatever that missed. Many submissions share one transaction (see
ingest.group_commit), so one PostgreSQL commit serves them all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ingest.schemas import FeedbackIn
from models.bulk import bulk_insert
from models.tables import Feedback, OutboxEntry, new_id, utcnow
from pipelines.urgency.rules import needs_fast_lane

# The tables, not the ORM classes: a batch insert through Core skips the ORM's bulk
# bookkeeping, which here costs more than the insert itself.
FEEDBACK = Feedback.__table__
OUTBOX = OutboxEntry.__table__


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different body."""


@dataclass(frozen=True)
class Accepted:
    feedback_id: str
    created: bool
    urgent: bool = False


@dataclass(frozen=True)
class Submission:
    """One validated POST, stamped when it arrived; its id is chosen before the insert."""

    data: FeedbackIn
    key_id: str
    idempotency_key: str | None = None
    feedback_id: str = field(default_factory=new_id)
    received_at: datetime = field(default_factory=utcnow)
    # Red-flagged text travels in the fast lane (workers.chains); decided in the request's
    # thread, so the committer, which serves every request of its process, does not.
    urgent: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "urgent", needs_fast_lane(self.data.text, self.data.language))

    def request_hash(self) -> str | None:
        """A fingerprint of the body, to tell a retry from a reused key; only keyed
        submissions are ever compared, so only they pay for it."""
        if not self.idempotency_key:
            return None
        canonical = json.dumps(self.data.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def row(self) -> dict[str, Any]:
        return {
            **self.data.model_dump(),
            "id": self.feedback_id,
            "api_key_id": self.key_id,
            "idempotency_key": self.idempotency_key,
            "request_hash": self.request_hash(),
            "received_at": self.received_at,
            "status": "received",
            "triage_state": "new",
        }


Outcome = Accepted | IdempotencyConflict


def _insert_new(session: Session) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING: a repeated idempotency key inserts nothing and
    fails no other row of the batch."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(FEEDBACK).on_conflict_do_nothing()


def store_submissions(session: Session, submissions: list[Submission]) -> list[Outcome]:
    """Insert every new submission and its outbox row; answer each one in order: accepted
    (new, or the earlier item of the same idempotency key) or a conflict. The caller commits.

    Rows without an idempotency key cannot conflict (their ids are new): they are copied
    in bulk; keyed rows go through INSERT … ON CONFLICT DO NOTHING."""
    rows = [submission.row() for submission in submissions]
    plain = [row for row in rows if not row["idempotency_key"]]
    keyed = [row for row in rows if row["idempotency_key"]]
    bulk_insert(session, FEEDBACK, plain)
    inserted = {row["id"] for row in plain}
    if keyed:
        inserted |= set(session.scalars(_insert_new(session).returning(FEEDBACK.c.id), keyed))
    now = utcnow()
    bulk_insert(
        session,
        OUTBOX,
        [
            {"feedback_id": row["id"], "created_at": now, "attempts": 0}
            for row in rows
            if row["id"] in inserted
        ],
    )
    earlier = _earlier_items(session, [s for s in submissions if s.feedback_id not in inserted])
    outcomes: list[Outcome] = []
    for submission, row in zip(submissions, rows, strict=True):
        if submission.feedback_id in inserted:
            outcomes.append(Accepted(submission.feedback_id, created=True, urgent=submission.urgent))
            continue
        found = earlier.get((submission.key_id, submission.idempotency_key))
        if found is None:
            raise LookupError("a feedback row was refused but no earlier item holds its key")
        first_id, first_hash = found
        same = first_hash == row["request_hash"]
        outcomes.append(Accepted(first_id, created=False) if same else IdempotencyConflict())
    return outcomes


def _earlier_items(
    session: Session, repeats: list[Submission]
) -> dict[tuple[str, str | None], tuple[str, str | None]]:
    """(key id, idempotency key) → (id, request hash) of the item that holds the key."""
    if not repeats:
        return {}
    found = session.execute(
        select(Feedback.api_key_id, Feedback.idempotency_key, Feedback.id, Feedback.request_hash).where(
            Feedback.idempotency_key.in_({s.idempotency_key for s in repeats}),
            Feedback.api_key_id.in_({s.key_id for s in repeats}),
        )
    )
    return {(row.api_key_id, row.idempotency_key): (row.id, row.request_hash) for row in found}
