"""The notify queue: alert staff. Kept apart so a slow LLM never delays an alert.

Each task creates its rows in one transaction, then sends them (`deliver_*`) in short
transactions; a provider that is briefly down raises DeliveryRetryable, a
ConnectionError, and the task retries with backoff. Every send is guarded by its row, so a
retry or a redelivered task never pages anyone twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from models.tables import utcnow
from pipelines.alert_delivery import deliver_alerts, give_up, unsent_alerts
from pipelines.alerts import route_feedback
from pipelines.clients.messaging import DeliveryRetryable
from pipelines.digests import collect_digests, deliver_digest
from pipelines.escalation import escalate_due
from pipelines.silence import deliver_silence, find_silences
from workers import runtime
from workers.app import app
from workers.stage_task import NOT_POISON, StageTask

log = logging.getLogger(__name__)

# A page not attempted this long after its row was created lost its task (a worker killed
# between routing and sending): a route task sends its pages within a second of creating
# them, and a second attempt is claimed in the page's row, never sent twice.
LOST_TASK_GRACE = timedelta(seconds=20)


class NotifyTask(StageTask):
    """Giving up marks the unsent pages failed (the item's analysis stands) and leaves a
    dead letter; the next tier is still paged on schedule."""

    abstract = True

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        feedback_ids = list(args[0]) if args else []
        log.error("task %s gave up: %s", self.name, type(exc).__name__)
        if feedback_ids:
            try:
                with runtime.task_session() as session:
                    give_up(session, feedback_ids, f"{self.name}: {type(exc).__name__}")
            except Exception:
                log.exception("could not record the failure of task %s", task_id)
        self.record_dead_letter(exc, task_id, args, kwargs)


def _deliver(alert_ids: list[int]) -> list[int]:
    report = deliver_alerts(
        runtime.session_factory(),
        alert_ids,
        runtime.sender(),
        runtime.alert_policy(),
        runtime.page_lease(),
        not_poison=NOT_POISON,
    )
    if report.unfinished:
        raise DeliveryRetryable(f"{len(report.retry)} pages to retry, {len(report.in_flight)} in flight")
    return alert_ids


@app.task(name="feedback.route", base=NotifyTask, bind=True)
def route(self: NotifyTask, feedback_ids: list[str]) -> list[int]:
    roster, policy, now = runtime.roster(), runtime.alert_policy(), utcnow()
    with runtime.task_session() as session:
        alert_ids = self.each_item(
            session, feedback_ids, lambda s, ids: route_feedback(s, ids, roster, policy, now)
        )
    return _deliver(alert_ids)


@app.task(name="alerts.escalate", base=NotifyTask)
def escalate() -> list[int]:
    """Beat: page the next tier of unacknowledged critical items, and send any page whose
    task was lost or whose worker died mid-send."""
    now = utcnow()
    with runtime.task_session() as session:
        alert_ids = escalate_due(session, runtime.roster(), runtime.alert_policy(), now)
        alert_ids += unsent_alerts(session, now, LOST_TASK_GRACE, runtime.delivery_lease())
    return _deliver(sorted(set(alert_ids)))


@app.task(name="alerts.digest", base=NotifyTask)
def digest() -> list[int]:
    """Beat, hourly: one email per department and recipient for new high-urgency items."""
    with runtime.task_session() as session:
        digest_ids = collect_digests(session, utcnow())
    retry = []
    for digest_id in digest_ids:
        with runtime.task_session() as session:
            if (
                deliver_digest(session, digest_id, runtime.sender(), runtime.alert_policy(), utcnow())
                == "retry"
            ):
                retry.append(digest_id)
    if retry:
        raise DeliveryRetryable(f"{len(retry)} digests to retry")
    return digest_ids


@app.task(name="ops.silence_check", base=NotifyTask)
def silence_check() -> list[int]:
    """Beat: an ops email for each kiosk or channel silent too long in opening hours."""
    policy = runtime.silence_policy()
    with runtime.task_session() as session:
        alert_ids = find_silences(session, policy, utcnow())
    for alert_id in alert_ids:
        with runtime.task_session() as session:
            deliver_silence(session, alert_id, runtime.sender(), policy)
    return alert_ids
