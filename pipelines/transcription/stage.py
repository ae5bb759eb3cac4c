"""The transcription stage: audio items get a transcript (their text for analysis);
text items pass straight through, so one chain can carry both.

A transcript below the confidence threshold is marked for a person to listen to. An
item whose audio cannot be fetched or decoded is marked failed with the reason, and its
audio is kept so that a later run can retry it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.channels import AudioClip
from models.tables import Feedback, utcnow
from pipelines.clients.twilio_recordings import RecordingUnavailable
from pipelines.failures import mark_failed
from pipelines.transcription.audio import AudioRejected, decode
from pipelines.transcription.result import Transcriber

log = logging.getLogger(__name__)

STAGE = "feedback.transcribe"


class RecordingFetcher(Protocol):
    def fetch(self, recording_sid: str) -> tuple[bytes, str]: ...


@dataclass(frozen=True)
class TranscriptionPolicy:
    min_confidence: float
    max_seconds: float


def transcribe_feedback(
    session: Session,
    feedback_ids: list[str],
    transcriber: Transcriber,
    fetcher: RecordingFetcher | None,
    policy: TranscriptionPolicy,
) -> list[str]:
    """Transcribe the items' audio that has no transcript yet; return the ids ready for
    analysis (text items, and audio items with a transcript), in the order given."""
    items = {item.id: item for item in session.scalars(select(Feedback).where(Feedback.id.in_(feedback_ids)))}
    clips = {
        clip.feedback_id: clip
        for clip in session.scalars(select(AudioClip).where(AudioClip.feedback_id.in_(feedback_ids)))
    }
    ready: list[str] = []
    for feedback_id in feedback_ids:
        item = items.get(feedback_id)
        if item is None:
            continue
        clip = clips.get(feedback_id)
        if (
            clip is None
            or clip.transcript is not None
            or _transcribe(session, item, clip, transcriber, fetcher, policy)
        ):
            ready.append(feedback_id)
    session.flush()
    return ready


def _transcribe(
    session: Session,
    item: Feedback,
    clip: AudioClip,
    transcriber: Transcriber,
    fetcher: RecordingFetcher | None,
    policy: TranscriptionPolicy,
) -> bool:
    try:
        if clip.data is None:
            if fetcher is None or clip.recording_sid is None:
                raise RecordingUnavailable("no recording to fetch (Twilio is not configured)")
            clip.data, clip.content_type = fetcher.fetch(clip.recording_sid)
        pcm = decode(clip.data, policy.max_seconds)
    except (RecordingUnavailable, AudioRejected) as exc:
        clip.error = str(exc)[:255]
        session.flush()
        mark_failed(session, [item.id], f"{STAGE}: {type(exc).__name__}")
        log.warning("transcription failed for one item: %s", type(exc).__name__)
        return False
    result = transcriber.transcribe(pcm)
    clip.duration_seconds = round(pcm.seconds, 2)
    clip.transcript = result.text
    clip.confidence = result.confidence
    clip.transcriber = transcriber.name
    clip.needs_listening = not result.text or result.confidence < policy.min_confidence
    clip.error = None
    clip.transcribed_at = utcnow()
    item.text = " ".join(part for part in (item.text, result.text) if part) or None
    item.language = item.language or result.language
    if item.status == "failed":
        item.status, item.failure_reason = "received", None  # a retry that now succeeded
    return True
