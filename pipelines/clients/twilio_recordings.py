"""Downloading IVR recordings through the twilio SDK's authenticated HTTP client.

The URL is built from our account and the recording's sid, never taken from the webhook,
so a forged callback cannot make us fetch an arbitrary address. TWILIO_API_BASE_URL points
it at an egress gateway or a local fake. The SDK's Response keeps only decoded text, so a
requests response hook captures the raw bytes of the audio.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from pipelines.clients.twilio_sms import quiet_http_client

RECORDING_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")


class RecordingUnavailable(Exception):
    """Twilio answered but has no such recording (or refused us): retrying will not help."""


class _RawBody:
    """Keeps each thread's last response body as bytes."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        self._local.content = response.content
        return response

    def take(self) -> bytes:
        content, self._local.content = self._local.content, b""
        return content


class TwilioRecordingFetcher:
    def __init__(self, account_sid: str, auth_token: str, base_url: str, timeout: float = 30) -> None:
        self._raw = _RawBody()
        http_client = quiet_http_client(timeout, request_hooks={"response": [self._raw]})
        self._client = Client(account_sid, auth_token, http_client=http_client)
        self._account_sid = account_sid
        self._base_url = base_url.rstrip("/")

    def fetch(self, recording_sid: str) -> tuple[bytes, str]:
        """The recording as WAV bytes and its content type."""
        if not RECORDING_SID.match(recording_sid):
            raise RecordingUnavailable("malformed recording sid")
        uri = f"{self._base_url}/2010-04-01/Accounts/{self._account_sid}/Recordings/{recording_sid}.wav"
        try:
            response = self._client.request("GET", uri, allow_redirects=True)
        except (OSError, TwilioException) as exc:  # requests' errors are OSErrors
            raise ConnectionError(f"Twilio unreachable: {type(exc).__name__}") from None  # transient: retry
        content = self._raw.take()
        if response.status_code >= 500:
            raise ConnectionError(f"Twilio answered {response.status_code}")  # transient: retry
        if response.status_code != 200:
            raise RecordingUnavailable(f"Twilio answered {response.status_code}")
        return content, "audio/wav"
