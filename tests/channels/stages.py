"""Running the audio chain's stages as plain functions, ids through JSON as through the broker."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.stage import analyze_feedback
from pipelines.clients.messaging import OfflineSender
from pipelines.transcription.sphinx import PocketSphinxTranscriber
from pipelines.transcription.stage import RecordingFetcher, TranscriptionPolicy, transcribe_feedback
from pipelines.urgency.stage import score_feedback
from tests.support.alerting import KEYS, route_and_deliver

TRANSCRIBER = PocketSphinxTranscriber()
POLICY = TranscriptionPolicy(min_confidence=0.5, max_seconds=600)


def transcribe(
    sessions: sessionmaker[Session], ids: list[str], fetcher: RecordingFetcher | None = None
) -> list[str]:
    with session_scope(sessions) as session:
        return json.loads(json.dumps(transcribe_feedback(session, ids, TRANSCRIBER, fetcher, POLICY)))


def analyze_score_route(sessions: sessionmaker[Session], ids: list[str]) -> list[int]:
    with session_scope(sessions) as session:
        ids = json.loads(json.dumps(analyze_feedback(session, ids, LocalAnalyzer())))
    with session_scope(sessions) as session:
        ids = json.loads(json.dumps(score_feedback(session, ids)))
    return route_and_deliver(sessions, ids, OfflineSender(KEYS))[0]
