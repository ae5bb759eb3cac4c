"""Celery's own task lines name the task and the feedback ids it works on."""

from __future__ import annotations

import logging
import uuid

from celery.app.trace import LOG_RECEIVED
from celery.utils.saferepr import saferepr

from tests.support.json_logs import captured_json_logs
from workers.log_signals import CeleryTaskFields, feedback_ids


def received_line(task_name: str, args: tuple[object, ...]) -> None:
    """As celery.worker.strategy logs a message it took from the broker."""
    context = {"id": "task-1", "name": task_name, "args": saferepr(args, 1024), "kwargs": "{}", "eta": None}
    logging.getLogger("celery.worker.strategy").info(LOG_RECEIVED, context, extra={"data": context})


def test_the_received_line_carries_the_ids_of_its_message() -> None:
    one, batch = [str(uuid.uuid4())], [str(uuid.uuid4()) for _ in range(50)]
    with captured_json_logs() as records:
        logging.getLogger().handlers[0].addFilter(CeleryTaskFields())
        received_line("feedback.analyze", (one,))
        received_line("feedback.route", (batch,))  # the repr is cut short past 1024 characters
        received_line("training.retrain", ("schedule",))
    single, cut_short, retrain = records()
    assert single["message"] == "Task feedback.analyze[task-1] received"
    assert single["task_name"] == "feedback.analyze" and single["task_id"] == "task-1"
    assert single["correlation_id"] == one[0]
    assert cut_short["correlation_ids"] and set(cut_short["correlation_ids"]) < set(batch)
    assert retrain["task_name"] == "training.retrain" and "correlation_id" not in retrain
    assert all("data" not in record for record in (single, cut_short, retrain))


def test_pipeline_tasks_take_their_ids_first() -> None:
    assert feedback_ids((["a", "b"],), {}) == ["a", "b"]
    assert feedback_ids((), {"feedback_ids": ["a"]}) == ["a"]
    assert feedback_ids(("schedule",), {}) == []
    assert feedback_ids((), {}) == []
