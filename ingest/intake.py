"""Accepting feedback: the feedback rows and their outbox rows, stored together.

Nothing is published here; the caller publishes after the commit, and the outbox
relay publishes whatever that missed. Many submissions share one write (see
ingest.group_commit). On PostgreSQL that write is a single statement, the rows passed
as one JSON document: atomic on its own, so under autocommit it is one round trip, and
prepared once, whatever the batch's size.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, String, bindparam, cast, func, insert, literal, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ingest.schemas import FeedbackIn
from models.tables import Feedback, OutboxEntry, UtcDateTime, new_id, utcnow
from pipelines.urgency.rules import needs_fast_lane

# The tables, not the ORM classes: a batch insert through Core skips the ORM's bulk
# bookkeeping, which here costs more than the insert itself.
FEEDBACK = Feedback.__table__
OUTBOX = OutboxEntry.__table__
ROW_COLUMNS = (
    *FeedbackIn.model_fields,
    *("id", "api_key_id", "idempotency_key", "request_hash", "received_at", "status", "triage_state"),
)


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
        """The feedback row: a value for each of ROW_COLUMNS."""
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


def _store_in_one_statement() -> Insert:
    """WITH new AS (INSERT INTO feedback SELECT … FROM json_populate_recordset(NULL::feedback,
    :rows) ON CONFLICT DO NOTHING RETURNING id) INSERT INTO outbox SELECT id, … FROM new
    RETURNING feedback_id.

    The rows travel as one JSON document, which json.dumps writes and PostgreSQL reads in
    C (a parameter per column, as arrays, cost the driver ~50 µs a row to adapt). A
    repeated idempotency key inserts nothing and fails no other row; only the rows
    inserted get an outbox row, and their ids come back."""
    rows = func.json_populate_recordset(
        literal_column(f"NULL::{FEEDBACK.name}"), cast(bindparam("rows", type_=String), postgresql.JSON)
    ).table_valued(*ROW_COLUMNS)
    new = (
        postgresql.insert(FEEDBACK)
        .from_select(ROW_COLUMNS, select(*[rows.c[name] for name in ROW_COLUMNS]))
        .on_conflict_do_nothing()
        .returning(FEEDBACK.c.id)
        .cte("new")
    )
    queued = select(new.c.id, bindparam("queued_at", type_=UtcDateTime()), literal(0))
    return (
        insert(OUTBOX)
        .from_select(["feedback_id", "created_at", "attempts"], queued)
        .returning(OUTBOX.c.feedback_id)
    )


STORE_IN_ONE_STATEMENT = _store_in_one_statement()


def _iso_timestamp(value: object) -> str:
    """Datetimes in the JSON document: ISO 8601 with their offset (rows hold aware UTC)."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no place in a feedback row")


def _insert(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows that hold no idempotency key already used, each with its outbox
    row; the ids inserted. The caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        document = json.dumps(rows, default=_iso_timestamp)
        return set(session.scalars(STORE_IN_ONE_STATEMENT, {"rows": document, "queued_at": utcnow()}))
    inserted = set(
        session.scalars(sqlite.insert(FEEDBACK).on_conflict_do_nothing().returning(FEEDBACK.c.id), rows)
    )
    now = utcnow()
    outbox = [
        {"feedback_id": row["id"], "created_at": now, "attempts": 0} for row in rows if row["id"] in inserted
    ]
    if outbox:
        session.execute(insert(OUTBOX), outbox)
    return inserted


def store_submissions(session: Session, submissions: list[Submission]) -> list[Outcome]:
    """Insert every new submission and its outbox row; answer each one in order: accepted
    (new, or the earlier item of the same idempotency key) or a conflict. The caller commits."""
    rows = [submission.row() for submission in submissions]
    inserted = _insert(session, rows)
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
