"""Routine items committed close together travel in one chain.

Celery costs a worker about as much per task as the stages spend on a dozen items, and
a chain per commit carries only what one commit held: one or two items at a few hundred
POSTs a second. The window gathers the routine ids of every commit for up to `window`
seconds (or CHAIN_SIZE ids) and publishes them as one chain, then marks their outbox
rows. The rows are committed before anyone is answered; if the process dies with ids
still in the window, the outbox relay publishes them (OUTBOX_GRACE_SECONDS later).
Red-flagged items never wait here: the committer publishes them before answering.
PUBLISH_WINDOW_MS=0 turns the window off: every commit publishes its own chain before
answering.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from ingest.channel_intake import publish_after_commit
from models import log_context

CHAIN_SIZE = 50
IDLE_SECONDS = 5.0  # an idle window thread ends; the next ids start one


class PublishWindow:
    def __init__(
        self,
        publish: Callable[[list[str]], None],
        sessions: sessionmaker[Session],
        window: float,
        chain_size: int = CHAIN_SIZE,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self._publish = publish
        self._sessions = sessions
        self._window = window
        self._chain_size = chain_size
        self._idle_seconds = idle_seconds
        self._ids: list[str] = []
        self._changed = threading.Condition()
        self._running = False

    def add(self, feedback_ids: list[str]) -> None:
        """Publish these committed ids with the others of the window (at once, with no window)."""
        if not feedback_ids:
            return
        if self._window <= 0:
            publish_after_commit(self._publish, self._sessions, feedback_ids)
            return
        with self._changed:
            opens = not self._ids
            self._ids += feedback_ids
            if not self._running:
                # Started here, not at creation: a forked gunicorn worker gets its own.
                threading.Thread(target=self._run, name="publish-window", daemon=True).start()
                self._running = True
            if opens or len(self._ids) >= self._chain_size:
                self._changed.notify()  # the thread may be idle-waiting for ids, or the chain is full

    def _run(self) -> None:
        while (chain := self._next_chain()) is not None:
            log_context.bind(**log_context.correlation(chain))
            try:
                publish_after_commit(self._publish, self._sessions, chain)
            finally:
                log_context.clear()

    def _next_chain(self) -> list[str] | None:
        """The ids of one window (or a full chain sooner); None once idle."""
        with self._changed:
            if not self._ids and not self._changed.wait_for(lambda: self._ids, timeout=self._idle_seconds):
                self._running = False
                return None
            closes = time.monotonic() + self._window
            while len(self._ids) < self._chain_size and (left := closes - time.monotonic()) > 0:
                self._changed.wait(timeout=left)
            chain, self._ids = self._ids[: self._chain_size], self._ids[self._chain_size :]
            return chain
