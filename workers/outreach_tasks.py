"""The outreach queue: the nightly reminder plan and the dispatcher (DESIGN.md, reminders:
at most one send per reminder). Both are safe to run twice at once: planning inserts with
ON CONFLICT DO NOTHING, the dispatcher claims rows with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta

from models.tables import utcnow
from pipelines.reminders.dispatch import dispatch as dispatch_due
from pipelines.reminders.planning import plan as plan_reminders
from workers import runtime
from workers.app import app
from workers.stage_task import RecordedTask

log = logging.getLogger(__name__)

CHUNK = 50


class _Outreach(RecordedTask):
    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (ConnectionError, TimeoutError)
    max_retries = 3
    retry_backoff = 5


def _chunk() -> int:
    """About ten seconds of sending at the SMS rate: a claimed chunk never waits long."""
    return max(1, min(CHUNK, 10 * runtime.settings().reminder_sms_per_second))


@app.task(name="reminders.plan", base=_Outreach)
def plan() -> dict[str, int]:
    with runtime.task_session() as session:
        report = plan_reminders(session, utcnow(), runtime.reminder_policy())
    log.info(
        "reminders planned: %d, suppressed: %d, too late: %d",
        report.planned,
        report.suppressed,
        report.expired,
    )
    return {"planned": report.planned, "suppressed": report.suppressed, "expired": report.expired}


@app.task(name="reminders.dispatch", base=_Outreach)
def dispatch() -> dict[str, int]:
    """Beat: send what is due until nothing is, or most of the task's time limit is spent."""
    report = dispatch_due(
        runtime.session_factory(),
        runtime.sender(),
        runtime.reminder_policy(),
        runtime.outreach_throttle(),
        chunk=_chunk(),
        lease=runtime.delivery_lease(),
        budget=timedelta(seconds=runtime.settings().reminder_dispatch_seconds * 8),
    )
    return asdict(report)
