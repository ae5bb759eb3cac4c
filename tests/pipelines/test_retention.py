"""Retention on both databases: feedback older than RETENTION_DAYS loses its text, audio,
transcript, summary, free-text answers, staff notes and the contacts captured with it;
younger feedback keeps everything; the analytics read the same before and after; a second
run purges nothing; retraining after a purge learns from what is left."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.schedules import crontab
from falcon import testing
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ingest.feedback_filters import URGENCY_LEVELS
from ingest.triage import TriageIn, apply_triage
from models.channels import AudioClip, InboundMessage, SurveyResponse
from models.db import session_scope
from models.keys import create_key
from models.llm import LlmCacheEntry, LlmFallback
from models.settings import SettingsError, load_settings
from models.tables import Analysis, AuditEntry, Feedback, SentMessage, UrgencyDecision, utcnow
from models.urgency_models import UrgencyLabel
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.stage import analyze_feedback
from pipelines.retention import PurgeReport, due_for_purge, purge
from pipelines.training.dataset import correction_items
from pipelines.training.retrain import ensure_champion, retrain
from pipelines.urgency.stage import score_feedback
from schedules.beat import beat_schedule
from tests.conftest import REDIS_URL
from tests.ingest.conftest import auth, make_client
from tests.support.processes import role_env, run_cli
from workers.app import app
from workers.chains import CeleryPublisher

DAYS = 365
OLD, YOUNG = timedelta(days=DAYS + 30), timedelta(days=DAYS - 30)
TEXT = "the nurse on ward 3 ignored my call bell for an hour"


def stored_item(session: Session, now: datetime, age: timedelta, n: int) -> str:
    """One voice survey with everything retention looks at, received `age` ago."""
    at = now - age
    item = Feedback(
        channel="voice",
        text=f"{TEXT} ({n})",
        rating=2,
        language="en",
        department="ward-3",
        patient_ref=f"MRN-{n}",
        request_hash=f"{n:064d}",
        received_at=at,
    )
    session.add(item)
    session.flush()
    session.add_all(
        [
            AudioClip(
                feedback_id=item.id,
                content_type="audio/wav",
                data=b"RIFF-audio",
                recording_sid=f"RE{n:032d}",
                transcript=item.text,
                confidence=0.9,
                transcriber="pocketsphinx",
                duration_seconds=4.5,
            ),
            SurveyResponse(
                feedback_id=item.id,
                survey="discharge",
                answers=[
                    {"question": "recommend", "type": "nps", "value": 3},
                    {"question": "why", "type": "text", "value": item.text},
                ],
                nps=3,
                nps_category="detractor",
            ),
            LlmFallback(feedback_id=item.id, reason="http_500"),
            SentMessage(
                dedupe_key=f"alert-{n}", channel="sms", recipient_hash="ab" * 32, body="page", created_at=at
            ),
            InboundMessage(
                provider_sid=f"SM{n:032d}",
                kind="sms",
                feedback_id=item.id,
                phone_hash=f"hash-{n}",
                phone_encrypted="gAAAA-encrypted",
                created_at=at,
            ),
            LlmCacheEntry(key=f"{n:064d}", model="gemini", result={"summary": item.text}, created_at=at),
        ]
    )
    analyze_feedback(session, [item.id], LocalAnalyzer())
    session.execute(
        update(Analysis).where(Analysis.feedback_id == item.id).values(summary=f"patient: {item.text}")
    )
    score_feedback(session, [item.id])
    change = TriageIn(
        triage_state="acknowledged", note="called her back, she said the bell", urgency_label="high"
    )
    apply_triage(session, item.id, change, "nurse")
    return item.id


@pytest.fixture
def items(sessions: sessionmaker[Session]) -> dict[str, list[str]]:
    now = utcnow()
    with session_scope(sessions) as session:
        return {
            "old": [stored_item(session, now, OLD, n) for n in range(3)],
            "young": [stored_item(session, now, YOUNG, n) for n in range(3, 5)],
        }


@pytest.fixture
def staff_client(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> tuple[testing.TestClient, str]:
    monkeypatch.setenv("ANALYTICS_MIN_SAMPLE", "1")  # shares, means and the NPS, not counts alone
    with session_scope(sessions) as session:
        token = create_key(session, "retention-staff", "staff")
    return make_client(sessions, CeleryPublisher()), token


def summary(client: testing.TestClient, token: str, until: datetime) -> dict[str, Any]:
    """GET /v1/analytics/summary over a window holding every item."""
    since = until - OLD - timedelta(days=2)
    params = {"since": since.isoformat(), "until": until.isoformat()}
    response = client.simulate_get("/v1/analytics/summary", params=params, headers=auth(token))
    assert response.status_code == 200
    return response.json


def labels(session: Session) -> dict[str, tuple[Any, ...]]:
    """Every label and score the pipeline and staff gave, per item."""
    rows = session.execute(
        select(
            Analysis.feedback_id,
            Analysis.sentiment_label,
            Analysis.sentiment_score,
            Analysis.emotions,
            Analysis.topics,
            UrgencyDecision.level,
            UrgencyDecision.score,
            UrgencyDecision.reasons,
            UrgencyLabel.label,
        )
        .join(UrgencyDecision, UrgencyDecision.feedback_id == Analysis.feedback_id)
        .join(UrgencyLabel, UrgencyLabel.feedback_id == Analysis.feedback_id)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def kept_whole(session: Session, feedback_id: str) -> bool:
    item = session.get(Feedback, feedback_id)
    clip = session.scalar(select(AudioClip).where(AudioClip.feedback_id == feedback_id))
    survey = session.scalar(select(SurveyResponse).where(SurveyResponse.feedback_id == feedback_id))
    analysis = session.scalar(select(Analysis).where(Analysis.feedback_id == feedback_id))
    note = session.scalar(select(AuditEntry.details).where(AuditEntry.target == feedback_id))
    inbound = session.scalar(select(InboundMessage).where(InboundMessage.feedback_id == feedback_id))
    return (
        item.purged_at is None
        and item.text.startswith(TEXT)
        and item.patient_ref is not None
        and clip.data == b"RIFF-audio"
        and clip.transcript == item.text
        and survey.answers[1]["value"] == item.text
        and analysis.summary is not None
        and "note" in note
        and inbound.phone_encrypted is not None
        and session.get(LlmFallback, feedback_id) is not None
    )


def test_old_feedback_loses_free_text_and_keeps_its_aggregates(
    sessions: sessionmaker[Session], items: dict[str, list[str]], staff_client: tuple[testing.TestClient, str]
) -> None:
    client, token = staff_client
    until = utcnow() + timedelta(days=1)
    before = summary(client, token, until)
    assert before["total"] == 5 and before["nps"]["detractors"] == 5 and before["rating"]["mean"] == 2
    with sessions() as session:
        due = due_for_purge(session, utcnow(), DAYS)
        labels_before = labels(session)

    report = purge(sessions, utcnow(), DAYS, batch_size=2)  # two chunks of feedback

    expected = PurgeReport(
        feedback=3,
        audio_clips=3,
        survey_responses=3,
        notes=3,
        sent_messages=3,
        inbound_numbers=3,
        cache_entries=3,
    )
    assert report == expected and due == expected
    assert summary(client, token, until) == before
    with sessions() as session:
        assert labels(session) == labels_before
        assert all(kept_whole(session, feedback_id) for feedback_id in items["young"])
        for feedback_id in items["old"]:
            item = session.get(Feedback, feedback_id)
            assert (item.text, item.patient_ref, item.request_hash) == (None, None, None)
            assert item.purged_at is not None and (item.rating, item.department) == (2, "ward-3")
            clip = session.scalar(select(AudioClip).where(AudioClip.feedback_id == feedback_id))
            assert (clip.data, clip.transcript, clip.recording_sid, clip.duration_seconds) == (
                None,
                None,
                None,
                4.5,
            )
            survey = session.scalar(select(SurveyResponse).where(SurveyResponse.feedback_id == feedback_id))
            assert [answer["value"] for answer in survey.answers] == [3, None] and survey.nps == 3
            analysis = session.scalar(select(Analysis).where(Analysis.feedback_id == feedback_id))
            assert analysis.summary is None
            triage = session.scalar(select(AuditEntry.details).where(AuditEntry.target == feedback_id))
            assert triage == {"triage_state": "acknowledged", "urgency_label": "high"}
            inbound = session.scalar(select(InboundMessage).where(InboundMessage.feedback_id == feedback_id))
            assert inbound.phone_encrypted is None and inbound.phone_hash is not None
            assert session.get(LlmFallback, feedback_id) is None
        sent = session.execute(select(SentMessage.dedupe_key, SentMessage.body))
        assert sorted(sent) == [(f"alert-{n}", "") for n in range(3)] + [
            (f"alert-{n}", "page") for n in range(3, 5)
        ]
        assert session.scalar(select(func.count()).select_from(LlmCacheEntry)) == 2

    body = client.simulate_get(f"/v1/feedback/{items['old'][0]}", headers=auth(token)).json
    assert body["text"] is None and body["transcript"] is None and body["purged_at"] is not None
    assert body["triage"]["notes"] == [] and body["analysis"]["urgency"]["level"] in URGENCY_LEVELS
    young = client.simulate_get(f"/v1/feedback/{items['young'][0]}", headers=auth(token)).json
    assert young["text"].startswith(TEXT) and young["purged_at"] is None

    assert purge(sessions, utcnow(), DAYS, batch_size=2) == PurgeReport()  # idempotent
    with sessions() as session:
        assert due_for_purge(session, utcnow(), DAYS) == PurgeReport()
    assert purge(sessions, utcnow() + OLD, 0) == PurgeReport()  # 0 keeps everything forever
    with sessions() as session:
        assert all(kept_whole(session, feedback_id) for feedback_id in items["young"])


def test_a_run_out_of_time_stops_between_chunks_and_the_next_carries_on(
    sessions: sessionmaker[Session], items: dict[str, list[str]]
) -> None:
    ticks = itertools.count()  # one second per look at the clock: time for one chunk
    first = purge(sessions, utcnow(), DAYS, batch_size=1, budget_seconds=2, clock=lambda: next(ticks))
    assert (first.feedback, first.sent_messages, first.more) == (1, 0, True)
    rest = purge(sessions, utcnow(), DAYS, batch_size=1)
    assert (rest.feedback, rest.sent_messages, rest.more) == (2, 3, False)
    with sessions() as session:
        assert all(session.get(Feedback, feedback_id).purged_at for feedback_id in items["old"])


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def test_retraining_after_a_purge_skips_purged_corrections(
    sessions: sessionmaker[Session], items: dict[str, list[str]], model_dir: Path
) -> None:
    with session_scope(sessions) as session:
        ensure_champion(session, model_dir)
    purge(sessions, utcnow(), DAYS)

    with session_scope(sessions) as session:
        assert {item.text for item in correction_items(session)} == {
            session.get(Feedback, feedback_id).text for feedback_id in items["young"]
        }
        outcome = retrain(session, model_dir, trigger="test")
    assert outcome.run_id is not None and outcome.decision


def test_retention_settings_beat_entry_and_queue() -> None:
    entry = beat_schedule(load_settings({"CAREPULSE_TIMEZONE": "Europe/Paris"}))["retention-purge"]
    assert entry["task"] == "retention.purge"
    assert entry["schedule"] == crontab(minute="30", hour="3")
    assert 0 < entry["options"]["expires"] < 24 * 3600
    assert load_settings({}).retention_days == 365
    custom = load_settings({"RETENTION_DAYS": "0", "RETENTION_CRON": "0 4 * * 0"})
    assert custom.retention_days == 0
    assert beat_schedule(custom)["retention-purge"]["schedule"] == crontab(
        minute="0", hour="4", day_of_week="0"
    )
    for name, value in (
        ("RETENTION_CRON", "every night"),
        ("RETENTION_DAYS", "-1"),
        ("RETENTION_DAYS", "a year"),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: value})
    assert app.amqp.router.route({}, "retention.purge")["queue"].name == "relay"


def test_purge_command_counts_first_then_purges(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_scope(sessions) as session:
        feedback_id = stored_item(session, utcnow(), OLD, 1)
    env = role_env(database_url, REDIS_URL, tmp_path)

    dry = run_cli(env, "purge", "--dry-run")
    assert "would purge" in dry and "feedback: 1" in dry and "audio clips: 1" in dry
    with sessions() as session:
        assert session.get(Feedback, feedback_id).text is not None
    assert "feedback: 1" in run_cli(env, "purge")
    assert "feedback: 0" in run_cli(env, "purge")
    with sessions() as session:
        assert session.get(Feedback, feedback_id).text is None
    assert "kept forever" in run_cli({**env, "RETENTION_DAYS": "0"}, "purge")
