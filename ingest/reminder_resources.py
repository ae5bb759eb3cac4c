"""Outreach endpoints for staff and integrations: single reminders, the appointment import
and each patient's consent; admins also save message templates.

`POST /v1/reminders`, `GET`/`DELETE /v1/reminders/{id}`, `POST /v1/reminders/import`
(CSV or JSON, up to 100,000 rows, idempotent per external appointment id, all or nothing),
`GET`/`PUT /v1/consents/{patient_ref}`, `GET /v1/admin/templates`,
`PUT /v1/admin/templates/{kind}/{channel}/{language}`.
"""

from __future__ import annotations

from typing import Any, Literal

import falcon
from pydantic import Field
from sqlalchemy.orm import Session, sessionmaker

from ingest.appointment_file import read_appointments
from ingest.auth import Authenticator
from ingest.body import read_model
from ingest.errors import FieldErrors
from ingest.schemas import BodyModel
from models.db import session_scope
from models.reminders import Reminder
from models.tables import AuditEntry, utcnow
from pipelines.reminders.booking import cancel_reminder, import_appointments, schedule_reminder
from pipelines.reminders.consent import consent_state, set_consent
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.requests import ReminderRequest
from pipelines.reminders.templates import TemplateBook, save_template
from pipelines.reminders.wording import CHANNELS, KINDS, LANGUAGES, Template

OUTREACH = frozenset({"staff", "admin", "integration"})
ADMIN = frozenset({"admin"})
BODY_LIMIT = 16 * 1024


class ReminderIn(BodyModel, ReminderRequest):
    """A reminder or survey invitation, as POST /v1/reminders takes it."""


class ConsentIn(BodyModel):
    state: Literal["granted", "revoked"]
    via: Literal["sms", "email", "ivr", "kiosk", "staff"] = "staff"
    reason: str = Field(default="recorded by staff", min_length=1, max_length=32)


class TemplateIn(BodyModel):
    body: str = Field(min_length=1, max_length=4000)
    subject: str | None = Field(default=None, max_length=255)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def masked(channel: str, address: str) -> str:
    return f"…{address[-4:]}" if channel == "sms" else f"…@{address.split('@', 1)[1]}"


def reminder_view(row: Reminder, policy: ReminderPolicy) -> dict[str, Any]:
    """A reminder as staff see it: the address masked, the patient's reply if any."""
    return {
        "id": row.id,
        "status": row.status,
        "kind": row.kind,
        "channel": row.channel,
        "patient_ref": row.patient_ref,
        "to": masked(row.channel, policy.keys.cipher.decrypt(row.recipient_encrypted)),
        "timezone": row.timezone,
        "language": row.language,
        "appointment_at": _iso(row.appointment_at),
        "send_at": _iso(row.send_at),
        "sent_at": _iso(row.sent_at),
        "attempts": row.attempts,
        "delivery_status": row.delivery_status,
        "error": row.error,
        "reply": {"answer": row.reply, "at": _iso(row.replied_at)} if row.reply else None,
    }


class _Outreach:
    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session], policy: ReminderPolicy) -> None:
        self._auth = auth
        self._sessions = sessions
        self._policy = policy


class ReminderCollection(_Outreach):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, OUTREACH)
        body = read_model(req, BODY_LIMIT, ReminderIn)
        with session_scope(self._sessions) as session:
            row = schedule_reminder(session, body, self._policy, utcnow(), principal.name)
            resp.media = {"id": row.id, "status": row.status, "send_at": _iso(row.send_at)}
        resp.status = falcon.HTTP_201


class ReminderItem(_Outreach):
    def on_get(self, req: falcon.Request, resp: falcon.Response, reminder_id: str) -> None:
        self._auth.require(req, OUTREACH)
        with self._sessions() as session:
            row = session.get(Reminder, reminder_id) if _comparable(reminder_id) else None
            if row is None:
                raise _not_found()
            resp.media = reminder_view(row, self._policy)
        resp.set_header("Cache-Control", "no-store")

    def on_delete(self, req: falcon.Request, resp: falcon.Response, reminder_id: str) -> None:
        principal = self._auth.require(req, OUTREACH)
        with session_scope(self._sessions) as session:
            status = cancel_reminder(session, reminder_id) if _comparable(reminder_id) else None
            if status is None:
                raise _not_found()
            if status != "cancelled":
                raise falcon.HTTPConflict(
                    title="Conflict", description=f"The reminder is {status}; it can no longer be cancelled."
                )
            session.add(
                AuditEntry(actor=principal.name, action="reminder.cancel", target=reminder_id, details={})
            )
        resp.status = falcon.HTTP_204


class AppointmentImport(_Outreach):
    def __init__(
        self, auth: Authenticator, sessions: sessionmaker[Session], policy: ReminderPolicy, limit: int
    ) -> None:
        super().__init__(auth, sessions, policy)
        self._limit = limit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, OUTREACH)
        rows = read_appointments(req, self._limit)
        with session_scope(self._sessions) as session:
            report = import_appointments(session, rows, self._policy, utcnow())
            session.add(
                AuditEntry(
                    actor=principal.name,
                    action="appointments.import",
                    target=None,
                    details={"rows": len(rows), "created": report.created, "updated": report.updated},
                )
            )
        resp.media = {
            "rows": len(rows),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }


class ConsentItem(_Outreach):
    def on_get(self, req: falcon.Request, resp: falcon.Response, patient_ref: str) -> None:
        self._auth.require(req, OUTREACH)
        _check_patient_ref(patient_ref)
        with self._sessions() as session:
            resp.media = {"patient_ref": patient_ref, "state": consent_state(session, patient_ref)}
        resp.set_header("Cache-Control", "no-store")

    def on_put(self, req: falcon.Request, resp: falcon.Response, patient_ref: str) -> None:
        principal = self._auth.require(req, OUTREACH)
        body = read_model(req, BODY_LIMIT, ConsentIn)
        _check_patient_ref(patient_ref)
        with session_scope(self._sessions) as session:
            set_consent(session, [patient_ref], body.state, body.via, body.reason)
            session.add(
                AuditEntry(
                    actor=principal.name,
                    action=f"consent.{body.state}",
                    target=None,
                    details={"via": body.via},
                )
            )
        resp.media = {"patient_ref": patient_ref, "state": body.state}


class TemplateCollection(_Outreach):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, ADMIN)
        with self._sessions() as session:
            resp.media = {
                "templates": [
                    {
                        "kind": t.kind,
                        "channel": t.channel,
                        "language": t.language,
                        "subject": t.subject,
                        "body": t.body,
                    }
                    for t in TemplateBook(session).all()
                ]
            }


class TemplateItem(_Outreach):
    def on_put(
        self, req: falcon.Request, resp: falcon.Response, kind: str, channel: str, language: str
    ) -> None:
        principal = self._auth.require(req, ADMIN)
        if kind not in KINDS or channel not in CHANNELS or language not in LANGUAGES:
            raise _not_found()
        body = read_model(req, BODY_LIMIT, TemplateIn)
        template = Template(kind, channel, language, body.body, body.subject)
        with session_scope(self._sessions) as session:
            problems = save_template(
                session, template, principal.name, self._policy.provider, self._policy.max_segments
            )
            if problems:
                raise FieldErrors([{"field": "body", "message": problem} for problem in problems])
            session.add(
                AuditEntry(
                    actor=principal.name,
                    action="template.save",
                    target=f"{kind}/{channel}/{language}",
                    details={},
                )
            )
        resp.media = {
            "kind": kind,
            "channel": channel,
            "language": language,
            "subject": body.subject,
            "body": body.body,
        }


def _comparable(key: str) -> bool:
    """PostgreSQL cannot even compare text holding NUL: no row has such a key."""
    return "\x00" not in key


def _check_patient_ref(patient_ref: str) -> None:
    """A reference the consents table can hold, or 422 (GET and PUT alike)."""
    if not (0 < len(patient_ref) <= 128 and _comparable(patient_ref)):
        raise FieldErrors(
            [{"field": "patient_ref", "message": "must be 1 to 128 characters, none of them NUL"}]
        )


def _not_found() -> falcon.HTTPNotFound:
    return falcon.HTTPNotFound(title="Not found", description="No such reminder or template.")


def add_reminder_routes(
    app: falcon.App,
    auth: Authenticator,
    sessions: sessionmaker[Session],
    policy: ReminderPolicy,
    import_limit: int,
) -> None:
    app.add_route("/v1/reminders", ReminderCollection(auth, sessions, policy))
    app.add_route("/v1/reminders/import", AppointmentImport(auth, sessions, policy, import_limit))
    app.add_route("/v1/reminders/{reminder_id}", ReminderItem(auth, sessions, policy))
    app.add_route("/v1/consents/{patient_ref}", ConsentItem(auth, sessions, policy))
    app.add_route("/v1/admin/templates", TemplateCollection(auth, sessions, policy))
    app.add_route("/v1/admin/templates/{kind}/{channel}/{language}", TemplateItem(auth, sessions, policy))
