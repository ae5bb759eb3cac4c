"""The per-sender rate limit of outreach (1 SMS a second per long code by default), shared
by every dispatcher through Redis with the `limits` library's moving window, so two
dispatchers together never exceed what the carrier allows one number."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter


class RedisThrottle:
    def __init__(
        self,
        redis_url: str,
        per_second: Mapping[str, int],
        senders: Mapping[str, str],
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        """`per_second` and `senders` by channel: the rate and the sending identity (a long
        code, a messaging service, the email account) whose budget a message spends."""
        self._limiter = MovingWindowRateLimiter(RedisStorage(redis_url))
        self._items = {channel: RateLimitItemPerSecond(rate) for channel, rate in per_second.items()}
        self._senders = dict(senders)
        self._pause = pause

    def wait(self, channel: str) -> None:
        """Block until this channel's sender may send one more message."""
        item, sender = self._items[channel], self._senders[channel]
        while not self._limiter.hit(item, "carepulse-outreach", sender):
            reset_at = self._limiter.get_window_stats(item, "carepulse-outreach", sender).reset_time
            self._pause(min(1.0, max(0.01, reset_at - time.time())))
