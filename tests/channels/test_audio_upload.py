"""POST /v1/feedback/audio and the transcription stage: flite speech in wav, webm, ogg and
mp3 is understood; a spoken emergency ends as a critical alert."""

from __future__ import annotations

import json
import wave
from io import BytesIO

import pytest
import redis
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.channels import AudioClip
from models.db import session_scope
from models.tables import Alert, Feedback, UrgencyDecision
from pipelines.transcription.audio import AudioRejected, decode
from tests.channels.conftest import AUDIO, auth, count, make_client
from tests.channels.multipart import multipart
from tests.channels.stages import TRANSCRIBER, analyze_score_route, transcribe
from tests.support.broker import queued_task_names

CONTENT_TYPES = {"wav": "audio/wav", "webm": "audio/webm", "ogg": "audio/ogg", "mp3": "audio/mpeg"}


def upload(client: testing.TestClient, key: str, audio: bytes, content_type: str, metadata: object):  # type: ignore[no-untyped-def]
    body, multipart_type = multipart(
        [
            ("metadata", None, "application/json", json.dumps(metadata).encode()),
            ("audio", "speech.bin", content_type, audio),
        ]
    )
    return client.simulate_post(
        "/v1/feedback/audio", body=body, headers={**auth(key), "Content-Type": multipart_type}
    )


def silence_wav(seconds: float) -> bytes:
    out = BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00" * int(8000 * seconds))
    return out.getvalue()


@pytest.mark.parametrize("container", sorted(CONTENT_TYPES))
def test_flite_speech_is_transcribed_in_every_container(container: str) -> None:
    pcm = decode((AUDIO / f"chest_pain_rms.{container}").read_bytes(), max_seconds=60)
    words = set(TRANSCRIBER.transcribe(pcm).text.split())
    assert {"chest", "pain", "cannot", "breathe"} <= words


@pytest.mark.parametrize("container", ["wav", "webm", "ogg"])
def test_spoken_emergency_uploaded_ends_as_a_critical_alert(
    sessions: sessionmaker[Session], kiosk_key: str, redis_client: redis.Redis, container: str
) -> None:
    client = make_client(sessions)
    audio = (AUDIO / f"chest_pain_rms.{container}").read_bytes()
    response = upload(client, kiosk_key, audio, CONTENT_TYPES[container], {"department": "ward-3"})

    assert response.status_code == 202, response.text
    feedback_id = response.json["id"]
    assert queued_task_names(redis_client, "asr") == ["feedback.transcribe"]
    assert transcribe(sessions, [feedback_id]) == [feedback_id]
    assert transcribe(sessions, [feedback_id]) == [feedback_id]  # idempotent
    analyze_score_route(sessions, [feedback_id])
    with sessions() as session:
        item = session.get(Feedback, feedback_id)
        clip = session.scalars(select(AudioClip)).one()
        level = session.scalar(select(UrgencyDecision.level))
        alerts = session.scalars(select(Alert.channel)).all()
    assert item.channel == "kiosk" and item.department == "ward-3" and item.status == "analyzed"
    assert {"chest", "breathe"} <= set(clip.transcript.split()) and item.text == clip.transcript
    assert clip.transcriber == "pocketsphinx" and clip.confidence >= 0.5 and not clip.needs_listening
    assert 3.5 < clip.duration_seconds < 4.5
    assert level == "critical" and sorted(alerts) == ["email", "sms"]


def test_silence_is_marked_for_a_person_to_listen(sessions: sessionmaker[Session], kiosk_key: str) -> None:
    response = upload(make_client(sessions), kiosk_key, silence_wav(1.5), "audio/wav", {})
    assert response.status_code == 202
    transcribe(sessions, [response.json["id"]])
    with sessions() as session:
        clip = session.scalars(select(AudioClip)).one()
    assert clip.needs_listening and clip.confidence < 0.5


def test_failed_transcription_keeps_the_audio_for_a_retry(sessions: sessionmaker[Session]) -> None:
    good = (AUDIO / "kind_nurse_slt.webm").read_bytes()
    with session_scope(sessions) as session:
        item = Feedback(channel="kiosk")
        session.add(item)
        session.flush()
        session.add(AudioClip(feedback_id=item.id, data=b"not audio at all", content_type="audio/webm"))
        feedback_id = item.id
    assert transcribe(sessions, [feedback_id]) == []
    with session_scope(sessions) as session:
        failed = session.get(Feedback, feedback_id)
        clip = session.scalars(select(AudioClip)).one()
        assert failed.status == "failed" and failed.failure_reason == "feedback.transcribe: AudioRejected"
        assert clip.data == b"not audio at all" and clip.error
        clip.data = good  # an operator restores the file; the retry succeeds
    assert transcribe(sessions, [feedback_id]) == [feedback_id]
    with sessions() as session:
        assert session.get(Feedback, feedback_id).status == "received"
        assert "kind" in session.scalars(select(AudioClip.transcript)).one()


@pytest.mark.parametrize(
    ("audio", "content_type", "metadata", "status", "field"),
    [
        (b"RIFF\x00\x00garbage", "audio/wav", {}, 422, "audio"),
        (None, "audio/wav", {"rating": 9}, 422, "metadata.rating"),
        (None, "text/plain", {}, 415, None),
        (b"", "audio/wav", {}, 422, "audio"),
    ],
    ids=["undecodable", "bad-metadata", "not-audio", "empty"],
)
def test_bad_uploads_are_refused_with_nothing_stored(
    sessions: sessionmaker[Session],
    kiosk_key: str,
    audio: bytes | None,
    content_type: str,
    metadata: dict,
    status: int,
    field: str | None,
) -> None:
    wav = (AUDIO / "chest_pain_rms.wav").read_bytes() if audio is None else audio
    response = upload(make_client(sessions), kiosk_key, wav, content_type, metadata)
    assert response.status_code == status, response.text
    if field:
        assert field in {error["field"] for error in response.json["errors"]}
    assert count(sessions, Feedback) == 0


def test_size_and_duration_limits(sessions: sessionmaker[Session], kiosk_key: str) -> None:
    wav = (AUDIO / "chest_pain_rms.wav").read_bytes()
    too_big = upload(make_client(sessions, max_audio_bytes=64 * 1024), kiosk_key, wav, "audio/wav", {})
    assert too_big.status_code == 413
    too_long = upload(make_client(sessions, max_audio_seconds=2), kiosk_key, wav, "audio/wav", {})
    assert too_long.status_code == 422 and "longer" in too_long.json["errors"][0]["message"]
    assert count(sessions, Feedback) == 0


def test_decode_refuses_a_file_without_audio() -> None:
    with pytest.raises(AudioRejected):
        decode(b"\x00" * 1000, max_seconds=10)
