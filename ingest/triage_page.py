"""The staff triage page: GET /triage, its script and its stylesheet, served from the package.

Plain files, no build step and nothing from another origin, so the page works on a ward
tablet without internet and a strict Content-Security-Policy can forbid everything else.
The page itself needs no key; every API call it makes sends the staff key it asks for.
"""

from __future__ import annotations

from importlib.resources import files

import falcon
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from ingest.triage_queue import TriageQueue

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASSETS = {
    "page": ("triage.html", "text/html; charset=utf-8"),
    "script": ("triage.js", "text/javascript; charset=utf-8"),
    "style": ("triage.css", "text/css; charset=utf-8"),
}


class TriagePage:
    """The three static files, read once: they ship with the package and never change at runtime."""

    def __init__(self) -> None:
        static = files("ingest") / "static"
        self._assets = {
            name: (static.joinpath(filename).read_bytes(), content_type)
            for name, (filename, content_type) in ASSETS.items()
        }

    def _send(self, resp: falcon.Response, name: str) -> None:
        resp.data, resp.content_type = self._assets[name]
        resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        resp.set_header("X-Frame-Options", "DENY")
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Referrer-Policy", "no-referrer")
        resp.set_header("Cache-Control", "no-store")

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._send(resp, "page")

    def on_get_script(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._send(resp, "script")

    def on_get_style(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._send(resp, "style")


def add_triage_routes(app: falcon.App, auth: Authenticator, session_factory: sessionmaker[Session]) -> None:
    """The page, its assets and the queue endpoint it polls."""
    page = TriagePage()
    app.add_route("/triage", page)
    app.add_route("/triage/app.js", page, suffix="script")
    app.add_route("/triage/app.css", page, suffix="style")
    app.add_route("/v1/triage/queue", TriageQueue(auth, session_factory))
