"""Issue 19, "Done when 1": twenty kiosks post critical feedback at once and one of the
posts is poisoned (a year-9999 submission time with an offset, an overlong language, a
field over its column). The poisoned post is a 422 naming its field and stores nothing;
every other one is a 202, analyzed and paged by a real worker; the triage queue answers
200 throughout. Ingest, worker and beat run as processes on PostgreSQL and Redis."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from models.db import make_engine, make_session_factory
from models.tables import Feedback
from tests.e2e.conftest import System
from tests.support.http import call
from tests.support.polling import wait_until

POSTS = 20
POISONS = {
    "submitted_at": {"submitted_at": "9999-12-31T23:59:59-14:00"},
    "language": {"language": "en-abcdefgh-abcdefgh"},
    "patient_ref": {"patient_ref": "MRN-" + "9" * 200},
}


class QueueWatch:
    """Polls the triage queue until stopped, keeping every status it got."""

    def __init__(self, system: System) -> None:
        self._system = system
        self._stop = threading.Event()
        self.statuses: list[int] = []
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            status, _ = call("GET", f"{self._system.base_url}/v1/triage/queue", self._system.staff)
            self.statuses.append(status)
            self._stop.wait(0.1)

    def __enter__(self) -> QueueWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


def _paged(system: System, feedback_id: str) -> bool:
    status, body = call("GET", f"{system.base_url}/v1/feedback/{feedback_id}", system.staff)
    assert status == 200
    sent = sorted(alert["channel"] for alert in body["alerts"] if alert["status"] == "sent")
    return body["status"] == "analyzed" and sent == ["email", "sms"]


def _stored_with(system: System, marker: str) -> int:
    engine = make_engine(system.database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).where(Feedback.text.contains(marker)))
    finally:
        engine.dispose()


def _post(system: System, body: dict[str, Any]) -> tuple[int, Any]:
    return call("POST", f"{system.base_url}/v1/feedback", system.kiosk, body)


def test_a_poisoned_post_among_twenty_is_refused_alone_and_every_other_is_paged(system: System) -> None:
    valid_ids: list[str] = []
    with QueueWatch(system) as watch:
        for round_number, (field, poison) in enumerate(POISONS.items()):
            bodies = [
                {
                    "channel": "kiosk",
                    "text": f"round {round_number} bed {n}: my father cannot breathe and nobody comes",
                    "department": "ward-3",
                }
                for n in range(POSTS)
            ]
            marker = f"poisoned {field}"
            bodies[POSTS // 2] = {
                **bodies[POSTS // 2],
                "text": f"{marker}: my father cannot breathe",
                **poison,
            }
            with ThreadPoolExecutor(POSTS) as pool:
                answers = list(pool.map(lambda body: _post(system, body), bodies))
            refused = answers.pop(POSTS // 2)
            assert refused[0] == 422, refused
            assert refused[1]["title"] == "Invalid fields"
            assert [error["field"] for error in refused[1]["errors"]] == [field]
            assert [status for status, _ in answers] == [202] * (POSTS - 1)
            assert _stored_with(system, marker) == 0
            valid_ids += [body["id"] for _, body in answers]
        wait_until(
            lambda: all(_paged(system, feedback_id) for feedback_id in valid_ids),
            90,
            "a valid critical item was not analyzed and paged by SMS and email",
            interval=0.5,
        )
    assert watch.statuses and set(watch.statuses) == {200}
