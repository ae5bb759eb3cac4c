"""Signs Event Webhook posts the way SendGrid does, so tests exercise the real verification
path instead of a switch that turns it off."""

from __future__ import annotations

import base64
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Spelled out rather than taken from the SDK, so a test catches the SDK and us disagreeing.
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


class EventSigner:
    """A SendGrid-style signing key pair for tests.

    SendGrid signs `timestamp + body` with ECDSA P-256 / SHA-256 and sends the DER signature
    base64-encoded. The SDK's `EventWebhook.verify_signature(payload, signature, timestamp, key)`
    concatenates `timestamp + payload` before encoding, so payload and timestamp must both be
    str (bytes raise TypeError): the server decodes the raw body as UTF-8, never re-serializes
    the parsed JSON. The signature may be str or bytes.
    """

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        spki = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key: str = base64.b64encode(spki).decode()  # as SendGrid's settings page shows it

    def headers(self, payload: bytes, timestamp: str | None = None) -> dict[str, str]:
        """The headers SendGrid would send with `payload`; the timestamp defaults to now."""
        timestamp = str(int(time.time())) if timestamp is None else timestamp
        signature = self._key.sign(timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
        return {
            SIGNATURE_HEADER: base64.b64encode(signature).decode(),
            TIMESTAMP_HEADER: timestamp,
            "Content-Type": "application/json",
        }
