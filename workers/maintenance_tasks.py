"""Housekeeping on the relay queue: the daily retention purge (pipelines/retention.py).

Safe to run twice at once or again after a crash: each chunk is its own transaction,
claimed with SKIP LOCKED, and purged rows are never picked again. A first run over years
of feedback stops well inside the task's time limit and publishes its own continuation.
"""

from __future__ import annotations

import logging

from celeryconfig import ROUTINE_PRIORITY, task_soft_time_limit, task_time_limit
from models.tables import utcnow
from pipelines.retention import purge as purge_expired
from workers import runtime
from workers.app import app
from workers.stage_task import RecordedTask

log = logging.getLogger(__name__)

BUDGET_SHARE = 0.8  # of the time limit: the chunk under way must still fit


@app.task(name="retention.purge", base=RecordedTask, acks_late=True)
def purge() -> dict[str, int]:
    """Beat, daily (RETENTION_CRON): free text and audio older than RETENTION_DAYS."""
    days = runtime.settings().retention_days
    budget = BUDGET_SHARE * (task_soft_time_limit or task_time_limit)
    report = purge_expired(runtime.session_factory(), utcnow(), days, budget_seconds=budget)
    log.info(
        "retention (%d days) purged %d feedback items, %d audio clips, %d sent messages%s",
        days,
        report.feedback,
        report.audio_clips,
        report.sent_messages,
        "; continuing" if report.more else "",
    )
    if report.more:
        app.signature("retention.purge", priority=ROUTINE_PRIORITY).apply_async()
    return report.as_dict()
