"""One poisoned item in a chain's batch fails alone, in a real worker: the others are
analyzed, scored, routed and paged, and the bad one gets a dead letter with its reason.

The poison is a `submitted_at` past year 9999 in UTC, written straight into the table (ingest
refuses it): PostgreSQL stores it, but psycopg cannot read it back ("timestamp too large"),
and SQLite's datetime parser cannot either, so every statement that loads the whole row
fails, as `feedback.route` did for 20 concurrent posts with one poisoned.
"""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.dead_letters import DeadLetter
from models.tables import Alert, Feedback
from tests.conftest import REDIS_URL
from tests.support.polling import wait_until
from tests.support.processes import Role, role_env, running
from workers.chains import feedback_chain

ITEMS = 8  # critical items in one chain, one of them poisoned
CRITICAL = "my father in bed {n} can't breathe and nobody comes"
PAGES_EACH = 2  # the default roster pages one SMS and one email per critical item
YEAR_10000 = {
    "postgresql": "TIMESTAMPTZ '9999-12-31T23:59:59-14:00'",
    "sqlite": "'10000-01-01 13:59:59.000000'",
}


def add_items(sessions: sessionmaker[Session], dialect: str) -> tuple[list[str], str]:
    with session_scope(sessions) as session:
        items = [
            Feedback(channel="kiosk", text=CRITICAL.format(n=n), department="ward-3") for n in range(ITEMS)
        ]
        session.add_all(items)
        session.flush()
        ids = [item.id for item in items]
        poisoned = ids[ITEMS // 2]
        session.execute(
            text(f"UPDATE feedback SET submitted_at = {YEAR_10000[dialect]} WHERE id = :id"), {"id": poisoned}
        )
    return ids, poisoned


def test_one_poisoned_item_is_dead_lettered_and_the_rest_are_paged(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path, redis_client: redis.Redis
) -> None:
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    ids, poisoned = add_items(sessions, dialect)
    env = role_env(
        database_url, REDIS_URL, tmp_path, ONCALL_SMS_TO="+15550100001", ONCALL_EMAIL_TO="n@h.example"
    )
    worker = Role(
        ["worker", "--queues", "llm,scoring,notify", "--concurrency", "1"], env, tmp_path / "worker.log"
    )
    with running(worker):
        feedback_chain(ids, urgent=True).apply_async()

        def settled() -> bool:
            with sessions() as session:
                sent = session.scalar(
                    select(func.count())
                    .select_from(Alert)
                    .where(Alert.feedback_id.in_(ids), Alert.status == "sent")
                )
                letters = session.scalar(select(func.count()).select_from(DeadLetter))
            return sent == (ITEMS - 1) * PAGES_EACH and letters == 1

        wait_until(settled, 90, "the healthy items were not all paged, or no dead letter")

    with sessions() as session:
        letter = session.scalars(select(DeadLetter)).one()
        paged = set(session.scalars(select(Alert.feedback_id).where(Alert.status == "sent")))
        status, reason = session.execute(
            select(Feedback.status, Feedback.failure_reason).where(Feedback.id == poisoned)
        ).one()
    assert paged == set(ids) - {poisoned}
    assert (letter.task_name, letter.args, letter.priority) == ("feedback.route", [[poisoned]], 0)
    assert letter.error in {"DataError", "ValueError"}  # psycopg's refusal, SQLite's parser's
    assert (status, reason) == ("analyzed", f"feedback.route: {letter.error}")
