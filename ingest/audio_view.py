"""What staff see of an item's audio: the transcript, and whether a person must listen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.channels import AudioClip


def audio_fields(session: Session, feedback_id: str) -> dict[str, Any]:
    """`transcript` and `audio` for the staff view; an item without audio gets neither."""
    clip = session.scalar(select(AudioClip).where(AudioClip.feedback_id == feedback_id))
    if clip is None:
        return {}
    return {
        "transcript": clip.transcript,
        "audio": {
            "duration_seconds": clip.duration_seconds,
            "confidence": clip.confidence,
            "needs_listening": clip.needs_listening,
            "transcriber": clip.transcriber,
            "error": clip.error,
        },
    }
