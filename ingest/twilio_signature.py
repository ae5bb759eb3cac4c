"""Twilio webhook authentication: X-Twilio-Signature checked by the SDK's RequestValidator
against the address Twilio called (PUBLIC_BASE_URL + path), before anything is stored."""

from __future__ import annotations

import falcon
from twilio.request_validator import RequestValidator

from ingest.form_body import read_form

WEBHOOK_BODY_LIMIT = 64 * 1024


class TwilioWebhook:
    def __init__(self, auth_token: str | None, public_base_url: str) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None
        self._base = public_base_url.rstrip("/")

    def url_for(self, path: str) -> str:
        return f"{self._base}{path}"

    def verified_form(self, req: falcon.Request) -> dict[str, str]:
        """The webhook's fields if Twilio signed them, else 403."""
        form = read_form(req, WEBHOOK_BODY_LIMIT)
        signature = req.get_header("X-Twilio-Signature") or ""
        if self._validator is None:
            raise _forbidden("Twilio webhooks are not configured (TWILIO_AUTH_TOKEN is unset).")
        if not signature or not self._validator.validate(self.url_for(req.relative_uri), form, signature):
            raise _forbidden("The X-Twilio-Signature header is missing or does not match.")
        return form


def _forbidden(description: str) -> falcon.HTTPForbidden:
    return falcon.HTTPForbidden(title="Bad signature", description=description)
