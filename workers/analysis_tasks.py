"""The llm queue: read sentiment, emotions and topics."""

from pipelines.analysis.stage import analyze_feedback
from workers import runtime
from workers.app import app
from workers.stage_task import StageTask


@app.task(name="feedback.analyze", base=StageTask)
def analyze(feedback_ids: list[str]) -> list[str]:
    with runtime.task_session() as session:
        return analyze_feedback(session, feedback_ids, runtime.analyzer())
