"""Kiosk, web and app feedback: POST /v1/feedback, and the staff read of one item."""

from __future__ import annotations

from typing import Protocol

import falcon
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from ingest.body import read_model
from ingest.correlation import announce_accepted
from ingest.errors import FieldErrors
from ingest.feedback_filters import is_feedback_id
from ingest.feedback_list import FeedbackList
from ingest.group_commit import GroupCommitter, Lanes
from ingest.intake import IdempotencyConflict, Submission
from ingest.schemas import FeedbackIn
from ingest.triage import TriageIn, apply_triage
from ingest.views import feedback_detail
from models.db import session_scope
from models.keys import STAFF_ROLES

SUBMITTER_ROLES = frozenset({"kiosk", "integration", "staff", "admin"})
TRIAGE_BODY_LIMIT = 16 * 1024


class Publisher(Protocol):
    def publish(self, feedback_ids: list[str]) -> None: ...

    def publish_urgent(self, feedback_ids: list[str]) -> None: ...


class FeedbackCollection:
    def __init__(
        self,
        auth: Authenticator,
        sessions: sessionmaker[Session],
        publisher: Publisher,
        max_body_bytes: int,
        lister: FeedbackList,
        publish_window: float,
    ) -> None:
        self._auth = auth
        self._committer = GroupCommitter(
            sessions, Lanes(publisher.publish, publisher.publish_urgent), window=publish_window
        )
        self._limit = max_body_bytes
        self._lister = lister

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """The staff list shares this path with submission."""
        self._lister.on_get(req, resp)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, SUBMITTER_ROLES)
        data = read_model(req, self._limit, FeedbackIn)
        idempotency_key = req.get_header("Idempotency-Key")
        if idempotency_key is not None and not (
            1 <= len(idempotency_key) <= 255 and "\x00" not in idempotency_key
        ):
            raise FieldErrors(
                [{"field": "Idempotency-Key", "message": "must be 1 to 255 characters, none of them NUL"}]
            )
        try:
            accepted = self._committer.accept(Submission(data, principal.key_id, idempotency_key))
        except IdempotencyConflict:
            raise falcon.HTTPConflict(
                title="Idempotency key reused",
                description="This Idempotency-Key was used with a different body.",
            ) from None
        except (DataError, OverflowError):
            # The edge checks what the columns hold; this is what they missed, refused alone.
            raise FieldErrors(
                [{"field": "body", "message": "a value cannot be stored (out of range or too long)"}]
            ) from None
        announce_accepted(req, resp, [accepted.feedback_id], data.channel, new=accepted.created)
        resp.status = falcon.HTTP_202
        resp.media = {"id": accepted.feedback_id, "status": "received"}
        resp.location = f"/v1/feedback/{accepted.feedback_id}"


class FeedbackItem:
    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session]) -> None:
        self._auth = auth
        self._sessions = sessions

    def on_get(self, req: falcon.Request, resp: falcon.Response, feedback_id: str) -> None:
        self._auth.require(req, STAFF_ROLES)
        with self._sessions() as session:
            detail = feedback_detail(session, feedback_id) if is_feedback_id(feedback_id) else None
        if detail is None:
            raise _not_found()
        resp.media = detail
        resp.set_header("Cache-Control", "no-store")

    def on_patch(self, req: falcon.Request, resp: falcon.Response, feedback_id: str) -> None:
        """Acknowledge or resolve, with an optional note and urgency label (audited)."""
        principal = self._auth.require(req, STAFF_ROLES)
        change = read_model(req, TRIAGE_BODY_LIMIT, TriageIn)
        if not is_feedback_id(feedback_id):
            raise _not_found()
        with session_scope(self._sessions) as session:
            if not apply_triage(session, feedback_id, change, principal.name):
                raise _not_found()
        with self._sessions() as session:
            resp.media = feedback_detail(session, feedback_id)
        resp.set_header("Cache-Control", "no-store")


def _not_found() -> falcon.HTTPNotFound:
    return falcon.HTTPNotFound(title="Not found", description="No feedback with this id.")
