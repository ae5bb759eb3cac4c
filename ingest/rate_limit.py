"""Rate limits in Redis: a fixed one-minute window per caller, 429 with Retry-After.

Two limiters run before authentication: one per client address, so that requests with
made-up keys (each a database lookup) are stopped too, and one per key: its bearer token
(hashed), or its address when it has none (Twilio's webhooks). Redis being down must not
stop patients' feedback: the limiters then let the request through and log the outage.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import falcon
import redis

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json"})
MAX_CHUNK = 50
CALLER_LIMIT = 10_000  # callers remembered per process before the table starts afresh


def address_of(req: falcon.Request) -> str:
    return f"addr:{req.remote_addr}"


def caller_of(req: falcon.Request) -> str:
    header = req.get_header("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "key:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return address_of(req)


@dataclass
class _Allowance:
    """What this process may still admit for one caller in one window."""

    window: int
    granted: int = 0
    used: int = 0
    exhausted: bool = False  # Redis said the window's limit is reached


class RateLimiter:
    """Falcon middleware; `per_minute=0` turns it off. `caller` names who a request counts
    against (its key by default); `per` says so in the 429 and keeps the budgets apart.

    A Redis round trip per request would cost more CPU than the rest of a kiosk POST, so
    each process reserves a chunk of the window's budget at once (INCRBY) and admits
    from it locally. The chunk is a hundredth of the limit (at most MAX_CHUNK), so the
    budget a process reserved but did not use, which others cannot have, stays small;
    small limits (under 200 a minute) reserve one at a time and count exactly.
    """

    def __init__(  # type: ignore[no-untyped-def]
        self,
        client: redis.Redis,
        per_minute: int,
        clock=time.time,
        caller: Callable[[falcon.Request], str] = caller_of,
        per: str = "key",
    ) -> None:
        self._redis = client
        self._limit = per_minute
        self._clock = clock
        self._caller = caller
        self._per = per
        self._chunk = max(1, min(MAX_CHUNK, per_minute // 100))
        self._allowances: dict[str, _Allowance] = {}
        self._lock = threading.Lock()

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._limit == 0 or req.path in EXEMPT_PATHS:
            return
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        if not self._admit(self._caller(req), window):
            retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
            raise falcon.HTTPTooManyRequests(
                title="Too many requests",
                description=(
                    f"At most {self._limit} requests a minute per {self._per}; retry after {retry_after} s."
                ),
                retry_after=retry_after,
            )

    def _admit(self, caller: str, window: int) -> bool:
        with self._lock:
            allowance = self._allowances.get(caller)
            if allowance is None or allowance.window != window:
                if len(self._allowances) >= CALLER_LIMIT:
                    self._allowances.clear()
                allowance = self._allowances[caller] = _Allowance(window)
            if allowance.used < allowance.granted:
                allowance.used += 1
                return True
            if allowance.exhausted:
                return False
        granted = self._reserve(caller, window)  # outside the lock: a Redis round trip
        with self._lock:
            if granted is None:
                return True
            allowance.granted += granted
            allowance.exhausted = granted < self._chunk
            if allowance.used < allowance.granted:
                allowance.used += 1
                return True
            return False

    def _reserve(self, caller: str, window: int) -> int | None:
        """How much of a chunk the window's budget still had; None when Redis is down."""
        key = f"carepulse:ratelimit:{self._per}:{caller}:{window}"
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.incrby(key, self._chunk)
            pipe.expire(key, WINDOW_SECONDS * 2)
            total = pipe.execute()[0]
        except redis.RedisError as exc:
            log.warning("rate limiter skipped, Redis unavailable: %s", type(exc).__name__)
            return None
        return max(0, min(self._chunk, self._limit - (total - self._chunk)))


def redis_client(url: str) -> redis.Redis:
    """Short timeouts: a slow Redis must not hold a kiosk's request."""
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
