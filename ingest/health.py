"""Liveness and readiness: /healthz says the process runs, /readyz that it can work."""

from __future__ import annotations

import logging
from typing import Protocol

import falcon
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class Pingable(Protocol):
    def ping(self) -> None: ...


class Health:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class Ready:
    """503 names the dependency that is down; ingest still accepts feedback when only
    the broker is down (the outbox holds it), so load balancers should use /healthz."""

    def __init__(self, sessions: sessionmaker[Session], broker: Pingable) -> None:
        self._sessions = sessions
        self._broker = broker

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks = {"database": self._check_database(), "broker": self._check_broker()}
        ready = all(state == "ok" for state in checks.values())
        resp.status = falcon.HTTP_200 if ready else falcon.HTTP_503
        resp.media = {"status": "ready" if ready else "unavailable", "checks": checks}
        if not ready:
            down = ", ".join(name for name, state in checks.items() if state != "ok")
            resp.media |= {"title": "Service unavailable", "description": f"Down: {down}"}

    def _check_database(self) -> str:
        try:
            with self._sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            log.warning("readiness: database down: %s", type(exc).__name__)
            return "down"
        return "ok"

    def _check_broker(self) -> str:
        try:
            self._broker.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            log.warning("readiness: broker down: %s", type(exc).__name__)
            return "down"
        return "ok"
