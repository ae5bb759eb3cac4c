"""SMS through Twilio's Messages API with the twilio SDK.

Twilio takes no idempotency key on message create, so a worker killed after Twilio
accepted a message but before we recorded it cannot just resend: `find_sent` asks Twilio
for the recent messages to that number and matches the body (each alert's body carries its
own acknowledgement code). TWILIO_API_BASE_URL points the SDK at an egress gateway or a
local fake.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from pipelines.clients.messaging import (
    DeliveryRejected,
    DeliveryRetryable,
    DeliveryUncertain,
    OutboundMessage,
)

RECENT_MESSAGES = 20
CLOCK_SKEW = timedelta(minutes=5)
# The SDK logs every request's parameters (a phone number, a message body) at INFO: its
# requests go through a logger that lets only warnings out.
_SDK_LOG = logging.getLogger("carepulse.twilio_sdk")
_SDK_LOG.setLevel(logging.WARNING)


def quiet_http_client(timeout: float, **options: Any) -> TwilioHttpClient:
    """The SDK's HTTP client, minus its request log (contact details and texts)."""
    return TwilioHttpClient(timeout=timeout, logger=_SDK_LOG, **options)


def _maybe_received(exc: Exception) -> bool:
    """Whether the request may have reached Twilio: anything but a refused or timed-out
    connection (a read timeout, a connection dropped mid-answer)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return not isinstance(reason, NewConnectionError)
    return isinstance(exc, requests.exceptions.RequestException)


def provider_error(status: int, code: object) -> Exception:
    """429 and 5xx are worth another try; any other refusal is final."""
    if status == 429 or status >= 500:
        return DeliveryRetryable(f"Twilio answered {status} (code {code})")
    return DeliveryRejected(f"Twilio refused the message: {status} (code {code})", code=str(code))


class TwilioSmsSender:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        base_url: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        timeout: float = 10,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("Twilio needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
        self._client = Client(account_sid, auth_token, http_client=quiet_http_client(timeout))
        self._client.api.base_url = base_url.rstrip("/")
        self._sender = (
            {"messaging_service_sid": messaging_service_sid}
            if messaging_service_sid
            else {"from_": from_number}
        )

    def send(self, session: Session, message: OutboundMessage) -> str:
        try:
            callback = {"status_callback": message.status_callback} if message.status_callback else {}
            created = self._client.messages.create(
                to=message.to, body=message.body, **self._sender, **callback
            )
        except TwilioRestException as exc:
            raise provider_error(exc.status, exc.code) from None
        except (OSError, TwilioException) as exc:  # requests' errors are OSErrors: timeouts, refusals
            if _maybe_received(exc):
                raise DeliveryUncertain(f"Twilio did not answer: {type(exc).__name__}") from None
            raise DeliveryRetryable(f"Twilio unreachable: {type(exc).__name__}") from None
        return str(created.sid)

    def find_sent(
        self,
        session: Session,
        message: OutboundMessage,
        since: datetime,
        exclude: frozenset[str] = frozenset(),
    ) -> str | None:
        try:
            recent = self._client.messages.list(to=message.to, limit=RECENT_MESSAGES)
        except TwilioRestException as exc:
            raise provider_error(exc.status, exc.code) from None
        except (OSError, TwilioException) as exc:
            raise DeliveryRetryable(f"Twilio unreachable: {type(exc).__name__}") from None
        for sent in recent:
            created = sent.date_created
            if (
                sent.body == message.body
                and str(sent.sid) not in exclude
                and (created is None or created >= since - CLOCK_SKEW)
            ):
                return str(sent.sid)
        return None
