"""Gemini transcription through the google-genai SDK against a local fake of the API:
any language, the model's confidence kept, failures retried as transient."""

from __future__ import annotations

import io
import wave

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.channels import AudioClip
from models.db import session_scope
from models.tables import Feedback
from pipelines.transcription.audio import decode
from pipelines.transcription.gemini import GeminiTranscriber
from pipelines.transcription.stage import transcribe_feedback
from tests.channels.conftest import AUDIO
from tests.channels.stages import POLICY
from tests.fakes.gemini_audio_server import fake_gemini_audio

FRENCH = {
    "transcript": "J'ai mal à la poitrine et je ne peux pas respirer",
    "language": "fr",
    "confidence": 0.93,
}


def test_gemini_transcribes_any_language_into_the_item(sessions: sessionmaker[Session]) -> None:
    audio = (AUDIO / "chest_pain_rms.webm").read_bytes()
    with session_scope(sessions) as session:
        item = Feedback(channel="kiosk")
        session.add(item)
        session.flush()
        session.add(AudioClip(feedback_id=item.id, data=audio, content_type="audio/webm"))
        feedback_id = item.id
    with fake_gemini_audio() as gemini:
        gemini.default = FRENCH
        transcriber = GeminiTranscriber("test-key", "gemini-2.5-flash", base_url=gemini.base_url)
        with session_scope(sessions) as session:
            assert transcribe_feedback(session, [feedback_id], transcriber, None, POLICY) == [feedback_id]
    with wave.open(io.BytesIO(gemini.audio_seen[0])) as sent:
        assert (sent.getnchannels(), sent.getframerate()) == (1, 16_000)
    with sessions() as session:
        item = session.get(Feedback, feedback_id)
        clip = session.scalars(select(AudioClip)).one()
    assert item.text == FRENCH["transcript"] and item.language == "fr"
    assert clip.transcriber == "gemini" and clip.confidence == 0.93 and not clip.needs_listening


@pytest.mark.parametrize("status", [429, 503])
def test_api_failure_is_transient(status: int) -> None:
    pcm = decode((AUDIO / "chest_pain_rms.wav").read_bytes(), max_seconds=60)
    with fake_gemini_audio() as gemini:
        gemini.status = status
        with pytest.raises(ConnectionError):
            GeminiTranscriber("test-key", "gemini-2.5-flash", base_url=gemini.base_url).transcribe(pcm)
