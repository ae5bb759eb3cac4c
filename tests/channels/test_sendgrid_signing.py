"""The test signer against the sendgrid SDK's own verifier, which the server uses: what it
signs must verify, and any change to body, timestamp or key must not."""

from __future__ import annotations

import base64
import binascii
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader

from tests.support.sendgrid_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, EventSigner

PAYLOAD = json.dumps(
    [{"event": "delivered", "sg_message_id": "abc.filter0001", "timestamp": 1700000000}]
).encode()
TIMESTAMP = "1700000000"


@pytest.fixture(scope="module")
def signer() -> EventSigner:
    return EventSigner()


def verify(signer: EventSigner, payload: bytes, signature: str, timestamp: str) -> bool:
    webhook = EventWebhook()
    key = webhook.convert_public_key_to_ecdsa(signer.public_key)
    return webhook.verify_signature(payload.decode(), signature, timestamp, key)


def test_header_names_match_the_sdk() -> None:
    assert SIGNATURE_HEADER == EventWebhookHeader.SIGNATURE
    assert TIMESTAMP_HEADER == EventWebhookHeader.TIMESTAMP


def test_public_key_is_base64_der_of_a_p256_key(signer: EventSigner) -> None:
    key = load_der_public_key(base64.b64decode(signer.public_key, validate=True))
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert isinstance(key.curve, ec.SECP256R1)


def test_headers_carry_signature_timestamp_and_content_type(signer: EventSigner) -> None:
    headers = signer.headers(PAYLOAD, TIMESTAMP)
    assert headers[TIMESTAMP_HEADER] == TIMESTAMP
    assert headers["Content-Type"] == "application/json"
    base64.b64decode(headers[SIGNATURE_HEADER], validate=True)


def test_timestamp_defaults_to_now(signer: EventSigner) -> None:
    before = int(time.time())
    stamp = int(signer.headers(PAYLOAD)[TIMESTAMP_HEADER])
    assert before <= stamp <= int(time.time())


def test_sdk_accepts_a_signed_payload(signer: EventSigner) -> None:
    headers = signer.headers(PAYLOAD, TIMESTAMP)
    assert verify(signer, PAYLOAD, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER])


def test_sdk_accepts_the_default_timestamp(signer: EventSigner) -> None:
    headers = signer.headers(PAYLOAD)
    assert verify(signer, PAYLOAD, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER])


def test_sdk_accepts_non_ascii_bodies(signer: EventSigner) -> None:
    payload = json.dumps([{"event": "bounce", "reason": "boîte pleine"}], ensure_ascii=False).encode()
    assert verify(signer, payload, signer.headers(payload, TIMESTAMP)[SIGNATURE_HEADER], TIMESTAMP)


def test_sdk_rejects_a_tampered_payload(signer: EventSigner) -> None:
    signature = signer.headers(PAYLOAD, TIMESTAMP)[SIGNATURE_HEADER]
    tampered = PAYLOAD.replace(b"delivered", b"bounce")
    assert not verify(signer, tampered, signature, TIMESTAMP)


def test_sdk_rejects_a_wrong_timestamp(signer: EventSigner) -> None:
    signature = signer.headers(PAYLOAD, TIMESTAMP)[SIGNATURE_HEADER]
    assert not verify(signer, PAYLOAD, signature, "1700000001")


def test_sdk_rejects_another_keys_signature(signer: EventSigner) -> None:
    signature = EventSigner().headers(PAYLOAD, TIMESTAMP)[SIGNATURE_HEADER]
    assert not verify(signer, PAYLOAD, signature, TIMESTAMP)


# The server must handle both outcomes of a garbage signature header: the SDK returns False
# for base64 that is not a DER signature, but lets binascii.Error out for text that is not base64.
@pytest.mark.parametrize("garbage", ["", "AAAA", "bm90IGEgc2lnbmF0dXJl", "MAYCAQECAQE="])
def test_sdk_returns_false_for_base64_that_is_no_signature(signer: EventSigner, garbage: str) -> None:
    assert verify(signer, PAYLOAD, garbage, TIMESTAMP) is False


@pytest.mark.parametrize("garbage", ["abc", "not-a-signature!!"])
def test_sdk_raises_for_a_signature_that_is_not_base64(signer: EventSigner, garbage: str) -> None:
    with pytest.raises(binascii.Error):
        verify(signer, PAYLOAD, garbage, TIMESTAMP)


def test_sdk_wants_the_payload_as_str(signer: EventSigner) -> None:
    webhook = EventWebhook(signer.public_key)
    signature = signer.headers(PAYLOAD, TIMESTAMP)[SIGNATURE_HEADER]
    with pytest.raises(TypeError):
        webhook.verify_signature(PAYLOAD, signature, TIMESTAMP)
