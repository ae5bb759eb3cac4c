"""Bearer-key authentication with a short cache, and role checks.

The cache spares a database round trip per request; a revoked key stops working
within KEY_CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import falcon
from sqlalchemy.orm import Session, sessionmaker

from models.keys import find_key

CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    role: str


class Authenticator:
    def __init__(self, session_factory: sessionmaker[Session], cache_seconds: int) -> None:
        self._sessions = session_factory
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[Principal, float]] = {}

    def identify(self, req: falcon.Request) -> Principal:
        """The caller's key, or 401."""
        header = req.get_header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Send Authorization: Bearer <key>.")
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        cached = self._cache.get(digest)
        now = time.monotonic()
        if cached and cached[1] > now:
            return cached[0]
        with self._sessions() as session:
            key = find_key(session, token.strip())
            if key is None:
                raise _unauthorized("The key is unknown or revoked.")
            principal = Principal(key_id=key.id, name=key.name, role=key.role)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[digest] = (principal, now + self._ttl)
        return principal

    def require(self, req: falcon.Request, roles: frozenset[str]) -> Principal:
        """The caller's key if its role is one of `roles`, else 401 or 403."""
        principal = self.identify(req)
        if principal.role not in roles:
            raise falcon.HTTPForbidden(
                title="Forbidden",
                description=f"This endpoint needs a key with role {' or '.join(sorted(roles))}.",
            )
        return principal


def _unauthorized(description: str) -> falcon.HTTPUnauthorized:
    return falcon.HTTPUnauthorized(title="Unauthorized", description=description, challenges=["Bearer"])
