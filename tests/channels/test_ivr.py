"""The IVR flow end to end against a local fake of Twilio's REST API: the call is answered
with TwiML that records, the recording callback becomes voice feedback, and the transcribe
stage downloads the recording through the twilio SDK and transcribes it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import redis
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.channels import AudioClip, InboundMessage
from models.tables import Alert, Feedback, UrgencyDecision
from pipelines.clients.twilio_recordings import RecordingUnavailable, TwilioRecordingFetcher
from tests.channels.conftest import (
    ACCOUNT_SID,
    AUDIO,
    AUTH_TOKEN,
    PUBLIC_BASE_URL,
    count,
    post_signed,
)
from tests.channels.stages import analyze_score_route, transcribe
from tests.fakes.twilio_server import fake_twilio
from tests.support.broker import queued_task_names

CALL = {"CallSid": "CA" + "c" * 32, "AccountSid": ACCOUNT_SID, "From": "+15550107777", "To": "+15550009999"}
RECORDING_SID = "RE" + "d" * 32


def recording_callback(recording_sid: str = RECORDING_SID) -> dict[str, str]:
    return {
        **CALL,
        "RecordingSid": recording_sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}",
        "RecordingDuration": "4",
    }


def test_ivr_call_recording_transcribed_and_alerted(
    client: testing.TestClient, sessions: sessionmaker[Session], redis_client: redis.Redis
) -> None:
    answer = post_signed(client, "/v1/twilio/voice", CALL)
    assert answer.status_code == 200
    record = ET.fromstring(answer.text).find("Record")
    assert record is not None and record.get("action") == f"{PUBLIC_BASE_URL}/v1/twilio/recording"

    callback = post_signed(client, "/v1/twilio/recording", recording_callback())
    assert callback.status_code == 200 and ET.fromstring(callback.text).find("Hangup") is not None
    assert post_signed(client, "/v1/twilio/recording", recording_callback()).status_code == 200  # retried
    with sessions() as session:
        item = session.scalars(select(Feedback)).one()
        assert session.scalars(select(InboundMessage.kind)).one() == "voice"
    assert item.channel == "voice"
    assert queued_task_names(redis_client, "asr") == ["feedback.transcribe"]

    with fake_twilio(ACCOUNT_SID, AUTH_TOKEN) as twilio:
        twilio.recordings[RECORDING_SID] = (AUDIO / "chest_pain_rms.wav").read_bytes()
        fetcher = TwilioRecordingFetcher(ACCOUNT_SID, AUTH_TOKEN, twilio.base_url)
        assert transcribe(sessions, [item.id], fetcher) == [item.id]
    assert twilio.requests == [f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{RECORDING_SID}.wav"]
    analyze_score_route(sessions, [item.id])
    with sessions() as session:
        clip = session.scalars(select(AudioClip)).one()
        level = session.scalar(select(UrgencyDecision.level))
    alerts = count(sessions, Alert)
    assert clip.data and {"chest", "breathe"} <= set(clip.transcript.split())
    assert level == "critical" and alerts == 2


def test_missing_recording_fails_the_item_and_keeps_it_for_a_retry(
    client: testing.TestClient, sessions: sessionmaker[Session]
) -> None:
    post_signed(client, "/v1/twilio/recording", recording_callback())
    with sessions() as session:
        feedback_id = session.scalar(select(Feedback.id))
    with fake_twilio(ACCOUNT_SID, AUTH_TOKEN) as twilio:
        fetcher = TwilioRecordingFetcher(ACCOUNT_SID, AUTH_TOKEN, twilio.base_url)
        assert transcribe(sessions, [feedback_id], fetcher) == []
        with sessions() as session:
            item = session.get(Feedback, feedback_id)
            assert (
                item.status == "failed" and item.failure_reason == "feedback.transcribe: RecordingUnavailable"
            )
        twilio.recordings[RECORDING_SID] = (AUDIO / "chest_pain_rms.wav").read_bytes()
        assert transcribe(sessions, [feedback_id], fetcher) == [feedback_id]


def test_wrong_credentials_are_not_retried_forever() -> None:
    with fake_twilio(ACCOUNT_SID, AUTH_TOKEN) as twilio:
        twilio.recordings[RECORDING_SID] = b"audio"
        fetcher = TwilioRecordingFetcher(ACCOUNT_SID, "wrong-token", twilio.base_url)
        with pytest.raises(RecordingUnavailable, match="401"):
            fetcher.fetch(RECORDING_SID)


def test_unsigned_recording_callback_stores_nothing(client: testing.TestClient, sessions) -> None:  # type: ignore[no-untyped-def]
    response = client.simulate_post(
        "/v1/twilio/recording",
        body="RecordingSid=RE1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403 and count(sessions, Feedback) == 0


def test_unreachable_twilio_is_transient() -> None:
    fetcher = TwilioRecordingFetcher(ACCOUNT_SID, AUTH_TOKEN, "http://127.0.0.1:1")
    with pytest.raises(ConnectionError):
        fetcher.fetch(RECORDING_SID)
