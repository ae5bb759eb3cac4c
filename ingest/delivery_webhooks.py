"""Delivery status callbacks: `POST /v1/twilio/status` (X-Twilio-Signature) and
`POST /v1/sendgrid/events` (SendGrid's ECDSA signature, checked with the sendgrid SDK's
event-webhook helper against SENDGRID_WEBHOOK_PUBLIC_KEY). An unsigned or forged callback
is refused with 403 before anything is read into the database, and so is a SendGrid
callback signed longer ago than SENDGRID_REPLAY_SECONDS: a captured request replayed."""

from __future__ import annotations

import falcon
from sendgrid.helpers.eventwebhook import EventWebhook, EventWebhookHeader
from sqlalchemy.orm import Session, sessionmaker

from ingest.body import parse_json
from ingest.errors import FieldErrors
from ingest.twilio_signature import TwilioWebhook
from models.db import session_scope
from models.tables import utcnow
from pipelines.reminders.delivery_status import apply_sendgrid_events, apply_twilio_status
from pipelines.reminders.policy import ReminderPolicy


class TwilioStatus:
    def __init__(
        self, webhook: TwilioWebhook, sessions: sessionmaker[Session], policy: ReminderPolicy
    ) -> None:
        self._webhook = webhook
        self._sessions = sessions
        self._policy = policy

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = self._webhook.verified_form(req)
        sid, status = form.get("MessageSid"), form.get("MessageStatus")
        if not sid or not status:
            raise FieldErrors(
                [
                    {"field": name, "message": "required"}
                    for name in ("MessageSid", "MessageStatus")
                    if not form.get(name)
                ]
            )
        with session_scope(self._sessions) as session:
            apply_twilio_status(session, sid, status, form.get("ErrorCode") or None, utcnow(), self._policy)
        resp.status = falcon.HTTP_204


class SendGridEvents:
    def __init__(
        self,
        public_key: str | None,
        sessions: sessionmaker[Session],
        policy: ReminderPolicy,
        limit: int,
        replay_seconds: int,
    ) -> None:
        self._verifier = EventWebhook()
        self._key = self._verifier.convert_public_key_to_ecdsa(public_key) if public_key else None
        self._sessions = sessions
        self._policy = policy
        self._limit = limit
        self._replay_seconds = replay_seconds

    def _verified(self, req: falcon.Request) -> bytes:
        raw = req.bounded_stream.read(self._limit + 1)
        if len(raw) > self._limit:
            raise falcon.HTTPContentTooLarge(
                title="Body too large", description=f"At most {self._limit} bytes."
            )
        if self._key is None:
            raise _forbidden("SendGrid events are not configured (SENDGRID_WEBHOOK_PUBLIC_KEY is unset).")
        signature = req.get_header(EventWebhookHeader.SIGNATURE) or ""
        timestamp = req.get_header(EventWebhookHeader.TIMESTAMP) or ""
        try:
            valid = bool(signature and timestamp) and self._verifier.verify_signature(
                raw.decode(), signature, timestamp, self._key
            )
        except Exception:  # noqa: BLE001 - a malformed signature is as forged as a wrong one
            valid = False
        if not valid:
            raise _forbidden("The SendGrid event signature is missing or does not match.")
        if not self._fresh(timestamp):
            raise _forbidden(
                f"The SendGrid event was signed more than {self._replay_seconds} s from now: a replay."
            )
        return raw

    def _fresh(self, timestamp: str) -> bool:
        """Whether the signed timestamp (Unix seconds) is within the replay window of now."""
        try:
            signed_at = int(timestamp)
        except ValueError:
            return False
        return abs(utcnow().timestamp() - signed_at) <= self._replay_seconds

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        raw = self._verified(req)
        events = parse_json(raw)
        if not isinstance(events, list) or not all(isinstance(event, dict) for event in events):
            raise falcon.HTTPBadRequest(title="Malformed body", description="Send a JSON array of events.")
        with session_scope(self._sessions) as session:
            apply_sendgrid_events(session, events, utcnow(), self._policy)
        resp.status = falcon.HTTP_204


def _forbidden(description: str) -> falcon.HTTPForbidden:
    return falcon.HTTPForbidden(title="Bad signature", description=description)
