"""The notify queue: alert staff. Kept apart so a slow LLM never delays an alert."""

from pipelines.alerts import route_feedback
from workers import runtime
from workers.app import app
from workers.stage_task import StageTask


@app.task(name="feedback.route", base=StageTask)
def route(feedback_ids: list[str]) -> list[int]:
    with runtime.task_session() as session:
        return route_feedback(session, feedback_ids, runtime.sender(), runtime.alert_targets())
