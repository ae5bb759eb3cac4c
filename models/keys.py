"""API keys: random tokens shown once, stored as a SHA-256 hash, compared in constant time.

A token is ``cp_<key id>_<secret>``: the id finds the row without scanning, the secret
is 256 random bits, so a fast hash is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.settings import parse_hours
from models.tables import ApiKey, utcnow

ROLES = ("kiosk", "integration", "staff", "admin")
STAFF_ROLES = frozenset({"staff", "admin"})


class KeyRequestError(ValueError):
    """A key cannot be created or revoked as asked."""


class KeyNameTaken(KeyRequestError):
    """Another key already has this name (names identify keys to people)."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, name: str, role: str, opening_hours: str | None = None) -> str:
    """Store a new key and return its token; the token itself is never stored. A kiosk may
    have opening hours of its own (`HH:MM-HH:MM`): it is expected to speak only then."""
    if role not in ROLES:
        raise KeyRequestError(f"role must be one of {', '.join(ROLES)}")
    if opening_hours is not None:
        if role != "kiosk":
            raise KeyRequestError("only kiosk keys have opening hours")
        try:
            opening_hours = "-".join(parse_hours(opening_hours))
        except ValueError as exc:
            raise KeyRequestError(f"opening hours {exc}") from None
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise KeyNameTaken(f"a key named {name!r} already exists")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    session.add(
        ApiKey(id=key_id, name=name, role=role, secret_hash=_hash(secret), opening_hours=opening_hours)
    )
    return f"cp_{key_id}_{secret}"


def revoke_key(session: Session, name: str) -> None:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None)))
    if key is None:
        raise KeyRequestError(f"no active key named {name!r}")
    key.revoked_at = utcnow()


def parse_token(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "cp" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def verify(key: ApiKey | None, secret: str) -> bool:
    """Constant-time check; a missing or revoked key still costs one comparison."""
    expected = key.secret_hash if key is not None else "0" * 64
    matches = hmac.compare_digest(expected, _hash(secret))
    return matches and key is not None and key.revoked_at is None


def find_key(session: Session, token: str) -> ApiKey | None:
    parsed = parse_token(token)
    if parsed is None:
        return None
    key_id, secret = parsed
    key = session.get(ApiKey, key_id)
    return key if verify(key, secret) else None
