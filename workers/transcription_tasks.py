"""The asr queue: speech to text before analysis (CPU-heavy, so it scales on its own)."""

from pipelines.transcription.stage import transcribe_feedback
from workers import runtime
from workers.app import app
from workers.stage_task import StageTask


@app.task(name="feedback.transcribe", base=StageTask, bind=True)
def transcribe(self: StageTask, feedback_ids: list[str]) -> list[str]:
    with runtime.task_session() as session:
        return self.each_item(
            session,
            feedback_ids,
            lambda s, ids: transcribe_feedback(
                s, ids, runtime.transcriber(), runtime.recording_fetcher(), runtime.transcription_policy()
            ),
        )
