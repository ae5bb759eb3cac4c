"""Group commit: the feedback of many concurrent requests in one transaction.

A request thread hands its validated submission to its process's committer and waits.
The committer takes everything waiting (up to `max_batch`), inserts the rows and their
outbox rows in one transaction, commits, and only then wakes the requests: a 202 still
means committed. While one commit is in flight the next requests queue up, so under
load a commit carries tens of items for one PostgreSQL round trip and one WAL flush; a
lone item commits at once, without waiting for company. The committer writes on a
connection of its own (models.db.OwnConnection): on PostgreSQL a batch is one statement
in autocommit, one round trip. Each round trip counts twice here: the thread coming
back from the network waits for the GIL behind the request threads. Red-flagged items
are published before their requests are answered; routine ones join a publish window
(ingest.publish_window), so that the workers get chains worth their per-task cost.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ingest.channel_intake import publish_after_commit
from ingest.errors import DATABASE_UNAVAILABLE
from ingest.intake import Accepted, IdempotencyConflict, Outcome, Submission, store_submissions
from ingest.publish_window import PublishWindow
from models import log_context
from models.db import OwnConnection

MAX_BATCH = 200
IDLE_SECONDS = 5.0  # an idle committer thread ends (and lets its app be collected); the next POST starts one


@dataclass(frozen=True)
class Lanes:
    """Where committed ids go: the fast lane for red flags, the routine one for the rest."""

    routine: Callable[[list[str]], None]
    urgent: Callable[[list[str]], None]


@dataclass(frozen=True)
class _Waiting:
    submission: Submission
    answer: Future[Outcome]


class GroupCommitter:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        lanes: Lanes,
        max_batch: int = MAX_BATCH,
        window: float = 0.0,
    ) -> None:
        self._sessions = sessions
        self._urgent = lanes.urgent
        self._routine = PublishWindow(lanes.routine, sessions, window)
        self._max_batch = max_batch
        self._waiting: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False

    def accept(self, submission: Submission) -> Accepted:
        """Commit `submission` with whatever else is waiting. Raises IdempotencyConflict,
        or what its transaction raised, in which case nothing of it was stored: a batch the
        database refuses is committed again item by item, so that only the item at fault
        fails (unless the database is unreachable, which fails the whole batch)."""
        waiting = _Waiting(submission, Future())
        with self._lock:
            self._waiting.put(waiting)
            if not self._running:
                # Started here, not at creation: a forked gunicorn worker gets its own. One
                # per process: a second would halve the batches and double the per-commit costs.
                threading.Thread(target=self._run, name="group-commit", daemon=True).start()
                self._running = True
        outcome = waiting.answer.result()
        if isinstance(outcome, IdempotencyConflict):
            raise outcome
        return outcome

    @property
    def waiting(self) -> int:
        """Requests waiting for the next commit."""
        return self._waiting.qsize()

    def _run(self) -> None:
        writer = OwnConnection(self._sessions)
        try:
            while (batch := self._next_batch()) is not None:
                self._commit(writer, batch)
        finally:
            writer.close()

    def _next_batch(self) -> list[_Waiting] | None:
        """Whatever is waiting, after waiting for at least one; None once idle."""
        try:
            batch = [self._waiting.get(timeout=IDLE_SECONDS)]
        except queue.Empty:
            with self._lock:
                if self._waiting.empty():
                    self._running = False
                    return None
            batch = []
        while len(batch) < self._max_batch:
            try:
                batch.append(self._waiting.get_nowait())
            except queue.Empty:
                break
        return batch

    def _commit(self, writer: OwnConnection, batch: list[_Waiting]) -> None:
        try:
            outcomes = _store(writer, [waiting.submission for waiting in batch])
        except Exception as exc:  # noqa: BLE001 - the requests answer with it, or commit alone
            if len(batch) > 1 and not isinstance(exc, DATABASE_UNAVAILABLE):
                # An item the database refused must not take the others with it: each
                # commits on its own, and only the bad one answers with the error.
                for waiting in batch:
                    self._commit(writer, [waiting])
                return
            for waiting in batch:
                waiting.answer.set_exception(exc)
            return
        created = [o for o in outcomes if isinstance(o, Accepted) and o.created]
        log_context.bind(**log_context.correlation(o.feedback_id for o in created))
        try:
            publish_after_commit(self._urgent, self._sessions, [o.feedback_id for o in created if o.urgent])
            self._routine.add([o.feedback_id for o in created if not o.urgent])
        finally:
            log_context.clear()
        for waiting, outcome in zip(batch, outcomes, strict=True):
            waiting.answer.set_result(outcome)


def _store(writer: OwnConnection, submissions: list[Submission]) -> list[Outcome]:
    """Store the batch; once more on a new connection if the one kept since the last batch
    had died (PostgreSQL restarted between them), as a pool's pre-ping would have found."""
    try:
        with writer.scope() as session:
            return store_submissions(session, submissions)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    with writer.scope() as session:
        return store_submissions(session, submissions)
