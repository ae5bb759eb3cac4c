"""The relay queue: publish outbox rows that ingest could not (broker down, crash), and
publish again the items whose message the broker lost (see `claim_stalled`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from pipelines.outbox import claim_stalled, claim_unpublished, mark_published, split_fast_lane
from workers import runtime
from workers.app import app
from workers.chains import audio_chain
from workers.stage_task import RecordedTask

log = logging.getLogger(__name__)

SWEEP_LIMIT = 2000
CHAIN_SIZE = 50


@app.task(name="outbox.sweep", base=RecordedTask, acks_late=True)
def sweep() -> int:
    """Publish unpublished rows (and stalled ones again) in chains of CHAIN_SIZE ids,
    red-flagged ones first and in the fast lane; return how many.

    The rows stay locked until the commit after publishing, so a crash in between
    republishes them next time: at-least-once, which idempotent stages absorb.
    """
    settings = runtime.settings()
    grace = timedelta(seconds=settings.outbox_grace_seconds)
    with runtime.task_session() as session:
        entries = claim_unpublished(session, grace, SWEEP_LIMIT)
        stalled = claim_stalled(session, timedelta(seconds=settings.visibility_timeout), SWEEP_LIMIT)
        if stalled:
            log.warning("outbox relay republishes %d stalled items", len(stalled))
        entries += stalled
        for urgent, lane in zip((True, False), split_fast_lane(session, entries), strict=True):
            for start in range(0, len(lane), CHAIN_SIZE):
                batch = lane[start : start + CHAIN_SIZE]
                # audio_chain: the relay cannot tell audio from text; transcribe passes text through.
                audio_chain([entry.feedback_id for entry in batch], urgent=urgent).apply_async(retry=False)
                mark_published(session, [entry.id for entry in batch])
        if entries:
            log.info("outbox relay published %d items", len(entries))
        return len(entries)
