"""Group commit: requests that arrive while a commit is in flight share the next one,
every request answers only once its item is committed (a red-flagged one once it is
published too), and routine items committed close together share one chain."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ingest.group_commit import GroupCommitter, Lanes
from ingest.intake import Accepted, IdempotencyConflict, Submission, store_submissions
from ingest.publish_window import PublishWindow
from ingest.schemas import FeedbackIn
from models.db import make_engine, make_session_factory, session_scope
from models.keys import create_key
from models.tables import ApiKey, Feedback, OutboxEntry
from tests.support.polling import wait_until


class GatedLane:
    """Records each publish; the first one waits for `open`, holding up the committer."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.open = threading.Event()

    def __call__(self, feedback_ids: list[str]) -> None:
        self.batches.append(feedback_ids)
        if len(self.batches) == 1:
            assert self.open.wait(timeout=30)


@pytest.fixture
def key_id(sessions: sessionmaker[Session]) -> str:
    with session_scope(sessions) as session:
        create_key(session, "kiosk-1", "kiosk")
        return session.scalar(select(ApiKey.id))


def submission(key_id: str, text: str, idempotency_key: str | None = None) -> Submission:
    return Submission(FeedbackIn(text=text), key_id, idempotency_key)


def test_requests_waiting_behind_a_commit_share_the_next_one(
    sessions: sessionmaker[Session], key_id: str
) -> None:
    """Red-flagged items, so that each commit publishes before it answers: the gate holds
    the first commit in its publish while the others queue."""
    routine, urgent = GatedLane(), GatedLane()
    committer = GroupCommitter(sessions, Lanes(routine, urgent))
    cry = "my mother collapsed and is not breathing"
    with ThreadPoolExecutor(10) as pool:
        first = pool.submit(committer.accept, submission(key_id, cry))
        wait_until(lambda: urgent.batches, 10, "the first commit never published")
        rest = [pool.submit(committer.accept, submission(key_id, f"{cry} ({n})")) for n in range(9)]
        wait_until(lambda: committer.waiting == 9, 10, "the requests never queued")
        assert not any(future.done() for future in [first, *rest])  # nobody answered before publishing
        urgent.open.set()
        answers = [future.result(timeout=30) for future in [first, *rest]]
    assert [len(batch) for batch in urgent.batches] == [1, 9]
    assert sorted(a.feedback_id for a in answers) == sorted(fid for batch in urgent.batches for fid in batch)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Feedback)) == 10
        published = session.scalars(select(OutboxEntry.published_at)).all()
    assert len(published) == 10 and all(published)
    assert routine.batches == []


def test_routine_items_of_one_window_share_one_chain(sessions: sessionmaker[Session], key_id: str) -> None:
    routine, urgent = GatedLane(), GatedLane()
    routine.open.set()
    committer = GroupCommitter(sessions, Lanes(routine, urgent), window=1.0)
    ids = [
        committer.accept(submission(key_id, f"the parking was expensive ({n})")).feedback_id for n in range(5)
    ]
    with sessions() as session:  # answered once committed: in the database, not yet published
        assert session.scalar(select(func.count()).select_from(Feedback)) == 5
    wait_until(lambda: routine.batches, 10, "the window never published")
    assert routine.batches == [ids]
    wait_until(lambda: all(published_at(sessions)), 10, "the outbox rows were never marked published")


def test_ids_after_a_quiet_spell_wait_one_window_not_the_idle_timeout(
    sessions: sessionmaker[Session],
) -> None:
    """The window's thread, idle-waiting once a chain left, opens the next window as soon
    as ids arrive: the last items before a lull are not held until the thread ends."""
    routine = GatedLane()
    routine.open.set()
    window = PublishWindow(routine, sessions, window=0.05, idle_seconds=600)
    window.add(["first"])
    wait_until(lambda: routine.batches, 10, "the first window never published")
    window.add(["after a lull"])
    wait_until(lambda: len(routine.batches) == 2, 30, "the next window waited for the idle timeout")
    assert routine.batches == [["first"], ["after a lull"]]


def published_at(sessions: sessionmaker[Session]) -> list[object]:
    with sessions() as session:
        return list(session.scalars(select(OutboxEntry.published_at)))


def test_a_red_flag_in_the_batch_goes_to_the_fast_lane(sessions: sessionmaker[Session], key_id: str) -> None:
    routine, urgent = GatedLane(), GatedLane()
    routine.open.set()
    urgent.open.set()
    committer = GroupCommitter(sessions, Lanes(routine, urgent), window=0.05)
    help_id = committer.accept(submission(key_id, "my mother collapsed and is not breathing")).feedback_id
    assert urgent.batches == [[help_id]]  # published before the answer
    calm_id = committer.accept(submission(key_id, "the parking was expensive")).feedback_id
    wait_until(lambda: routine.batches, 10, "the routine item was never published")
    assert urgent.batches == [[help_id]] and routine.batches == [[calm_id]]


def test_one_key_twice_in_one_batch_stores_once(sessions: sessionmaker[Session], key_id: str) -> None:
    with session_scope(sessions) as session:
        outcomes = store_submissions(
            session,
            [
                submission(key_id, "same", "key-1"),
                submission(key_id, "same", "key-1"),
                submission(key_id, "different body", "key-1"),
                submission(key_id, "other key", "key-2"),
            ],
        )
    first, repeat, conflict, other = outcomes
    assert isinstance(first, Accepted) and first.created
    assert repeat == Accepted(first.feedback_id, created=False)
    assert isinstance(conflict, IdempotencyConflict)
    assert isinstance(other, Accepted) and other.created
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Feedback)) == 2
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 2


def test_a_failed_commit_fails_every_request_of_the_batch() -> None:
    unreachable = make_session_factory(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    committer = GroupCommitter(unreachable, Lanes(GatedLane(), GatedLane()))
    with pytest.raises(OperationalError):
        committer.accept(submission("key", "lost?"))


def test_a_connection_lost_between_batches_costs_no_request(pg_url: str, pg_admin: Engine) -> None:
    """The committer keeps its connection from one batch to the next, with no pre-ping:
    when PostgreSQL has dropped it meanwhile, the next batch is stored on a new one."""
    with pg_admin.connect() as admin:
        started = admin.scalar(text("SELECT clock_timestamp()"))  # before this test's connections
    sessions = make_session_factory(make_engine(pg_url))
    with session_scope(sessions) as session:
        create_key(session, "kiosk-1", "kiosk")
        key = session.scalar(select(ApiKey.id))
    committer = GroupCommitter(sessions, Lanes(GatedLane(), GatedLane()))
    first = committer.accept(submission(key, "the parking was expensive"))
    with pg_admin.connect() as admin:
        dropped = admin.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_start > :started"
                " AND pid <> pg_backend_pid() AND query LIKE '%json_populate_recordset%'"
            ),
            {"started": started},
        )
    assert dropped == 1  # the committer's own connection, idle after the first batch
    second = committer.accept(submission(key, "the food was cold"))
    with sessions() as session:
        stored = set(session.scalars(select(Feedback.id)))
    assert stored == {first.feedback_id, second.feedback_id}
    sessions.kw["bind"].dispose()
