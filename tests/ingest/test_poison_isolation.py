"""One bad item is that item's failure only (issue 19, items 1 and 2): a group commit the
database refuses commits again item by item, and the staff views read around a row
stored before its fields were checked, instead of answering 500 for everyone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from falcon import testing
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ingest.group_commit import GroupCommitter, Lanes
from ingest.intake import Accepted, Submission
from ingest.schemas import FeedbackIn
from models.db import make_engine, make_session_factory, session_scope
from models.tables import ApiKey, Feedback, new_id
from tests.ingest.conftest import auth
from tests.ingest.test_group_commit import GatedLane
from tests.support.polling import wait_until

CRY = "my father in bed {n} cannot breathe and nobody comes"


def _poisoned(key_id: str, change: dict[str, object]) -> Submission:
    """A submission the edge would have refused, built without its validation."""
    data = FeedbackIn.model_construct(channel="kiosk", text="bad", **change)
    return Submission(data, key_id)


def _commit_with_one_poisoned(sessions: sessionmaker[Session], change: dict[str, object]) -> None:
    """Nineteen red flags and one item the database refuses, queued into one commit: every
    good one is stored and published, the bad one answers with its own error."""
    with session_scope(sessions) as session:
        session.add(ApiKey(id="k1", name="kiosk-1", role="kiosk", secret_hash="x" * 64))
    routine, urgent = GatedLane(), GatedLane()
    routine.open.set()
    committer = GroupCommitter(sessions, Lanes(routine, urgent))
    with ThreadPoolExecutor(20) as pool:
        holder = pool.submit(committer.accept, Submission(FeedbackIn(text=CRY.format(n=0)), "k1"))
        wait_until(lambda: urgent.batches, 10, "the first commit never published")
        good = [
            pool.submit(committer.accept, Submission(FeedbackIn(text=CRY.format(n=n)), "k1"))
            for n in range(1, 19)
        ]
        bad = pool.submit(committer.accept, _poisoned("k1", change))
        wait_until(lambda: committer.waiting == 19, 10, "the requests never queued")
        urgent.open.set()
        accepted = [future.result(timeout=30) for future in [holder, *good]]
        assert bad.exception(timeout=30) is not None
    assert all(isinstance(answer, Accepted) and answer.created for answer in accepted)
    with sessions() as session:
        stored = set(session.scalars(select(Feedback.id)))
        assert session.scalar(select(func.count()).where(Feedback.text == "bad")) == 0
    assert stored == {answer.feedback_id for answer in accepted}
    published = {feedback_id for batch in urgent.batches for feedback_id in batch}
    assert published == stored  # every good red flag still went to the fast lane


def test_an_item_over_an_integer_column_fails_alone(sessions: sessionmaker[Session]) -> None:
    _commit_with_one_poisoned(sessions, {"rating": 2**70})


def test_an_item_over_a_varchar_column_fails_alone(pg_url: str) -> None:
    """PostgreSQL only: SQLite does not enforce VARCHAR lengths."""
    engine = make_engine(pg_url)
    try:
        _commit_with_one_poisoned(make_session_factory(engine), {"language": "en-abcdefgh-abcdefgh"})
    finally:
        engine.dispose()


def _insert_unreadable(sessions: sessionmaker[Session], column: str) -> str:
    """A row as one stored before this fix: `column` in year 10000 (UTC)."""
    feedback_id = new_id()
    dialect = sessions.kw["bind"].dialect.name
    far = "9999-12-31T23:59:59-14:00" if dialect == "postgresql" else "10000-01-01 13:59:59.000000"
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    values = {"received_at": now, "submitted_at": None, column: far}
    with session_scope(sessions) as session:
        session.execute(
            text(
                "INSERT INTO feedback (id, channel, text, department, received_at, submitted_at, status, "
                "triage_state) VALUES (:id, 'kiosk', 'help', 'ward-3', :received_at, :submitted_at, "
                "'received', 'new')"
            ),
            {"id": feedback_id, **values},
        )
    return feedback_id


def _skipped(view: str) -> float:
    return REGISTRY.get_sample_value("carepulse_unreadable_rows_total", {"view": view}) or 0.0


def test_staff_views_show_an_item_whose_submission_time_cannot_be_read(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    fine = client.simulate_post("/v1/feedback", json={"text": "fine"}, headers=auth(keys["kiosk"])).json["id"]
    poisoned = _insert_unreadable(sessions, "submitted_at")
    staff = auth(keys["staff"])
    listed = client.simulate_get("/v1/feedback", headers=staff)
    queue = client.simulate_get("/v1/triage/queue", headers=staff)
    export = client.simulate_get("/v1/feedback/export.csv", headers=staff)
    detail = client.simulate_get(f"/v1/feedback/{poisoned}", headers=staff)
    patched = client.simulate_patch(
        f"/v1/feedback/{poisoned}", json={"triage_state": "acknowledged"}, headers=staff
    )
    assert [r.status_code for r in (listed, queue, export, detail, patched)] == [200] * 5
    assert {item["id"] for item in listed.json["items"]} == {fine, poisoned}
    assert {item["id"] for item in queue.json["items"]} == {fine, poisoned}
    assert poisoned in export.text and fine in export.text
    assert detail.json["submitted_at"] is None and detail.json["department"] == "ward-3"
    assert patched.json["triage"]["state"] == "acknowledged"


def test_staff_views_skip_and_count_a_row_they_cannot_read(
    client: testing.TestClient, keys: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    fine = client.simulate_post("/v1/feedback", json={"text": "fine"}, headers=auth(keys["kiosk"])).json["id"]
    _insert_unreadable(sessions, "received_at")
    staff = auth(keys["staff"])
    before = {view: _skipped(view) for view in ("feedback list", "triage queue", "feedback export")}
    listed = client.simulate_get("/v1/feedback", headers=staff)
    queue = client.simulate_get("/v1/triage/queue", headers=staff)
    export = client.simulate_get("/v1/feedback/export.csv", headers=staff)
    assert [r.status_code for r in (listed, queue, export)] == [200] * 3
    assert [item["id"] for item in listed.json["items"]] == [fine]
    assert [item["id"] for item in queue.json["items"]] == [fine]
    assert export.text.count("\n") == 2 and fine in export.text  # the header and the readable row
    assert {view: _skipped(view) - count for view, count in before.items()} == {
        "feedback list": 1,
        "triage queue": 1,
        "feedback export": 1,
    }
