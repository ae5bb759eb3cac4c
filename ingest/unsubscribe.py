"""Email unsubscribe, RFC 8058: mail clients POST the `List-Unsubscribe` link in one click;
a person who follows the link gets a page with a button that POSTs. A GET changes nothing,
so a mail scanner that opens every link unsubscribes no one."""

from __future__ import annotations

from html import escape

import falcon
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.reminders import Reminder
from models.tables import AuditEntry
from pipelines.reminders.consent import set_consent, suppress_contact
from pipelines.reminders.policy import ReminderPolicy

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem">
<h1>{title}</h1>{content}</body></html>
"""
CONFIRM = """<p>Stop receiving appointment reminders and survey invitations from {provider}?</p>
<form method="post"><button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button></form>"""
DONE = "<p>You will not receive appointment reminders or survey invitations from {provider} any more.</p>"


class Unsubscribe:
    def __init__(self, sessions: sessionmaker[Session], policy: ReminderPolicy) -> None:
        self._sessions = sessions
        self._policy = policy

    def _page(self, resp: falcon.Response, title: str, content: str) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.set_header("Cache-Control", "no-store")
        resp.set_header("Referrer-Policy", "no-referrer")
        resp.text = PAGE.format(title=title, content=content.format(provider=escape(self._policy.provider)))

    def _check(self, reminder_id: str, signature: str) -> None:
        # hmac.compare_digest raises on non-ASCII text; no signature we issue has any
        if not (signature.isascii() and self._policy.valid_unsubscribe(reminder_id, signature)):
            raise falcon.HTTPNotFound(title="Not found", description="This unsubscribe link is not valid.")

    def on_get(self, req: falcon.Request, resp: falcon.Response, reminder_id: str, signature: str) -> None:
        self._check(reminder_id, signature)
        self._page(resp, "Unsubscribe", CONFIRM)

    def on_post(self, req: falcon.Request, resp: falcon.Response, reminder_id: str, signature: str) -> None:
        self._check(reminder_id, signature)
        with session_scope(self._sessions) as session:
            row = session.get(Reminder, reminder_id)
            if row is not None:
                set_consent(session, [row.patient_ref], "revoked", "email", "unsubscribe link")
                suppress_contact(session, row.recipient_hash, "email", "unsubscribe link")
                session.add(
                    AuditEntry(
                        actor="patient",
                        action="consent.revoked",
                        target=reminder_id,
                        details={"via": "email"},
                    )
                )
        self._page(resp, "Unsubscribed", DONE)
