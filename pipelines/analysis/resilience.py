"""How the Gemini stage survives a bad day: retry delays and a circuit breaker.

A 429 waits what the server asked (its `retryDelay`); a 5xx or a timeout backs off
exponentially with full jitter, so a fleet of workers does not retry in step. After
`failures` failed calls in a row the breaker opens: everything goes to the local
analyzer for `reset_seconds`, then one probe call decides whether to close it again.
The breaker lives in each worker process; each trips on its own evidence.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_server_delay: float = 30.0  # a longer retryDelay means: fall back now

    def delay(
        self, attempt: int, server_delay: float | None, rng: Callable[[], float] = random.random
    ) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempt counts from 1)."""
        if server_delay is not None:
            return server_delay
        return rng() * min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


@dataclass
class CircuitBreaker:
    failures: int = 5
    reset_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _consecutive: int = 0
    _opened_at: float | None = None
    _probing: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self) -> bool:
        """May a call go out? When open, only one probe after `reset_seconds`."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._probing or self.clock() - self._opened_at < self.reset_seconds:
                return False
            self._probing = True
            return True

    def record_success(self) -> None:
        with self._lock:
            self._consecutive, self._opened_at, self._probing = 0, None, False

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            if self._probing or self._consecutive >= self.failures:
                self._opened_at, self._probing = self.clock(), False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None
