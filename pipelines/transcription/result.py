"""What every transcriber returns, and the interface the stage needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pipelines.transcription.audio import Pcm


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float  # 0..1; below TRANSCRIPT_MIN_CONFIDENCE a person listens in triage
    language: str | None = None


class Transcriber(Protocol):
    name: str

    def transcribe(self, audio: Pcm) -> Transcript: ...
