"""Admin endpoints: the on-call roster and API keys. Admin keys only; every change is
written to the audit log with who and when.

`POST /v1/admin/oncall`, `GET /v1/admin/oncall`, `DELETE /v1/admin/oncall/{id}`;
`POST /v1/admin/keys` (the token is in the answer once), `GET /v1/admin/keys`,
`DELETE /v1/admin/keys/{name}`. Contact details come back masked.
"""

from __future__ import annotations

from typing import Literal

import falcon
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from ingest.body import read_model
from ingest.errors import FieldErrors
from ingest.schemas import BodyModel, Department
from models.db import session_scope
from models.keys import KeyNameTaken, KeyRequestError, create_key, revoke_key
from models.tables import ApiKey, AuditEntry
from pipelines.oncall import NewEntry, Roster, RosterError

ADMIN = frozenset({"admin"})
ADMIN_BODY_LIMIT = 8 * 1024


class OnCallIn(BodyModel):
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    department: Department | None = None
    tier: int = 1
    weekdays: str = Field(default="1234567", max_length=7)
    starts: str = Field(default="00:00", max_length=5)
    ends: str = Field(default="24:00", max_length=5)
    timezone: str = Field(default="UTC", max_length=64)


class KeyIn(BodyModel):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["kiosk", "integration", "staff", "admin"]
    opening_hours: str | None = Field(default=None, max_length=11, description="kiosks only: HH:MM-HH:MM")


def _row_id(raw: str) -> bool:
    """Whether a path segment can be a row id: ASCII digits within a 64-bit integer."""
    return raw.isascii() and raw.isdigit() and int(raw) < 2**63


def _audit(session: Session, actor: str, action: str, target: str, **details: object) -> None:
    session.add(AuditEntry(actor=actor, action=action, target=target, details=details))


class _Admin:
    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session], roster: Roster) -> None:
        self._auth = auth
        self._sessions = sessions
        self._roster = roster


class OnCallCollection(_Admin):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, ADMIN)
        with self._sessions() as session:
            resp.media = {"entries": [self._roster.view(entry) for entry in self._roster.entries(session)]}
        resp.set_header("Cache-Control", "no-store")

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, ADMIN)
        body = read_model(req, ADMIN_BODY_LIMIT, OnCallIn)
        try:
            with session_scope(self._sessions) as session:
                entry = self._roster.add(session, NewEntry(**body.model_dump()))
                _audit(session, principal.name, "oncall.add", str(entry.id), tier=entry.tier)
                resp.media = self._roster.view(entry)
        except RosterError as exc:
            raise FieldErrors(exc.errors) from None
        resp.status = falcon.HTTP_201


class OnCallItem(_Admin):
    def on_delete(self, req: falcon.Request, resp: falcon.Response, entry_id: str) -> None:
        principal = self._auth.require(req, ADMIN)
        with session_scope(self._sessions) as session:
            if not (_row_id(entry_id) and self._roster.remove(session, int(entry_id))):
                raise falcon.HTTPNotFound(title="Not found", description="No roster entry with this id.")
            _audit(session, principal.name, "oncall.remove", entry_id)
        resp.status = falcon.HTTP_204


class KeyCollection(_Admin):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, ADMIN)
        with self._sessions() as session:
            keys = session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.name))
            resp.media = {
                "keys": [
                    {
                        "name": key.name,
                        "role": key.role,
                        "opening_hours": key.opening_hours,
                        "created_at": key.created_at.isoformat(),
                        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
                    }
                    for key in keys
                ]
            }
        resp.set_header("Cache-Control", "no-store")

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, ADMIN)
        body = read_model(req, ADMIN_BODY_LIMIT, KeyIn)
        try:
            with session_scope(self._sessions) as session:
                token = create_key(session, body.name, body.role, body.opening_hours)
                _audit(session, principal.name, "key.create", body.name, role=body.role)
        except KeyNameTaken as exc:
            raise falcon.HTTPConflict(title="Conflict", description=str(exc)) from None
        except KeyRequestError as exc:  # the only other refusal: opening hours
            raise FieldErrors([{"field": "opening_hours", "message": str(exc)}]) from None
        resp.media = {"name": body.name, "role": body.role, "token": token}
        resp.status = falcon.HTTP_201
        resp.set_header("Cache-Control", "no-store")


class KeyItem(_Admin):
    def on_delete(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        principal = self._auth.require(req, ADMIN)
        try:
            if "\x00" in name:  # PostgreSQL cannot even compare it: no key has such a name
                raise KeyRequestError(f"no active key named {name!r}")
            with session_scope(self._sessions) as session:
                revoke_key(session, name)
                _audit(session, principal.name, "key.revoke", name)
        except KeyRequestError as exc:
            raise falcon.HTTPNotFound(title="Not found", description=str(exc)) from None
        resp.status = falcon.HTTP_204


def add_admin_routes(
    app: falcon.App, auth: Authenticator, sessions: sessionmaker[Session], roster: Roster
) -> None:
    app.add_route("/v1/admin/oncall", OnCallCollection(auth, sessions, roster))
    app.add_route("/v1/admin/oncall/{entry_id}", OnCallItem(auth, sessions, roster))
    app.add_route("/v1/admin/keys", KeyCollection(auth, sessions, roster))
    app.add_route("/v1/admin/keys/{name}", KeyItem(auth, sessions, roster))
