"""Per-key rate limits in Redis: a fixed one-minute window per caller, 429 with Retry-After.

The caller is its bearer token (hashed), or its address when it has none (Twilio's
webhooks). Redis being down must not stop patients' feedback: the limiter then lets the
request through and logs the outage.
"""

from __future__ import annotations

import hashlib
import logging
import time

import falcon
import redis

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json"})


def caller_of(req: falcon.Request) -> str:
    header = req.get_header("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "key:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return f"addr:{req.remote_addr}"


class RateLimiter:
    """Falcon middleware; `per_minute=0` turns it off."""

    def __init__(self, client: redis.Redis, per_minute: int, clock=time.time) -> None:  # type: ignore[no-untyped-def]
        self._redis = client
        self._limit = per_minute
        self._clock = clock

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._limit == 0 or req.path in EXEMPT_PATHS:
            return
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        key = f"carepulse:ratelimit:{caller_of(req)}:{window}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS * 2)
            count = pipe.execute()[0]
        except redis.RedisError as exc:
            log.warning("rate limiter skipped, Redis unavailable: %s", type(exc).__name__)
            return
        if count > self._limit:
            retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
            raise falcon.HTTPTooManyRequests(
                title="Too many requests",
                description=f"At most {self._limit} requests a minute per key; retry after {retry_after} s.",
                retry_after=retry_after,
            )


def redis_client(url: str) -> redis.Redis:
    """Short timeouts: a slow Redis must not hold a kiosk's request."""
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
