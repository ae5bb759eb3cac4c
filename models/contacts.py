"""Protecting contact details at rest: a keyed hash to find a phone number, Fernet to
read it back. Both keys derive from CAREPULSE_SECRET_KEY, each for its own purpose, so
the lookup hash reveals nothing about the encryption key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cached_property

from cryptography.fernet import Fernet, MultiFernet

from models.settings import Settings

_NOT_DIGITS = re.compile(r"[^\d+]")


def normalize_phone(phone: str) -> str:
    """The same number written with spaces, dashes or brackets hashes the same."""
    return _NOT_DIGITS.sub("", phone.strip())


def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def phone_hash(secret: str, phone: str) -> str:
    """HMAC-SHA256 of the normalized number: stable, and useless without the secret."""
    return hmac.new(
        _derive(secret, "phone-hash"), normalize_phone(phone).encode(), hashlib.sha256
    ).hexdigest()


class ContactCipher:
    """Encrypts contact details; extra (older) secrets still decrypt during a key rotation."""

    def __init__(self, secret: str, *older_secrets: str) -> None:
        keys = [
            Fernet(base64.urlsafe_b64encode(_derive(s, "contact-encryption")))
            for s in (secret, *older_secrets)
        ]
        self._fernet = MultiFernet(keys)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same value encrypted with the current key (MultiFernet.rotate)."""
        return self._fernet.rotate(token.encode()).decode()


def contact_hash(secret: str, channel: str, address: str) -> str:
    """The lookup hash of a phone number ("sms") or an email address (case-folded)."""
    if channel == "sms":
        return phone_hash(secret, address)
    return hmac.new(
        _derive(secret, "email-hash"), address.strip().casefold().encode(), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class Keyring:
    """CAREPULSE_SECRET_KEY and, during a rotation, the keys it replaced
    (CAREPULSE_PREVIOUS_SECRET_KEYS): new values are encrypted and hashed with the current
    key; old ciphertexts still decrypt and old lookup hashes still match until
    `carepulse rotate-contacts` has rewritten them."""

    current: str
    previous: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        return cls(settings.secret_key, settings.previous_secret_keys)

    @cached_property
    def cipher(self) -> ContactCipher:
        return ContactCipher(self.current, *self.previous)

    def hash(self, channel: str, address: str) -> str:
        return contact_hash(self.current, channel, address)

    def hashes(self, channel: str, address: str) -> list[str]:
        """Every hash this address may be stored under: the current key's first."""
        return [contact_hash(secret, channel, address) for secret in (self.current, *self.previous)]
