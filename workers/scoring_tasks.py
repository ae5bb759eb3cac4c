"""The scoring queue: decide urgency with the rules and the registry's champion model."""

from pipelines.urgency.stage import score_feedback
from workers import runtime
from workers.app import app
from workers.stage_task import StageTask


@app.task(name="feedback.score", base=StageTask, bind=True)
def score(self: StageTask, feedback_ids: list[str]) -> list[str]:
    model = runtime.urgency_model()  # before the session: a first call may train the bootstrap model
    with runtime.task_session() as session:
        return self.each_item(session, feedback_ids, lambda s, ids: score_feedback(s, ids, model))
