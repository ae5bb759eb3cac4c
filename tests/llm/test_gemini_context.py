"""Gemini says when the danger a text mentions is happening and whom it is about; the
analysis stores it, the staff view shows it and the urgency reasons name it."""

from __future__ import annotations

import json

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.keys import create_key
from models.tables import Analysis
from pipelines.analysis.batching import analyze_claimed
from pipelines.analysis.gemini_prompt import BatchAnswer, parse_answer
from pipelines.analysis.local import LocalAnalyzer
from pipelines.urgency.stage import score_feedback
from tests.fakes.gemini_server import FakeGemini
from tests.ingest.conftest import auth, make_client
from tests.llm.helpers import add_feedback, make_analyzer
from workers.chains import CeleryPublisher

PAST = "He collapsed in the waiting room last month, thank you for saving him"


def stored(sessions: sessionmaker[Session], feedback_id: str) -> Analysis:
    with sessions() as session:
        return session.scalars(select(Analysis).where(Analysis.feedback_id == feedback_id)).one()


def test_a_past_danger_is_stored_shown_and_named_as_a_reason(
    sessions: sessionmaker[Session], fake: FakeGemini, redis_client: redis.Redis
) -> None:
    past, today = add_feedback(sessions, PAST, "My husband can't breathe, come now")
    analyze_claimed(sessions, make_analyzer(sessions, fake), [past, today])
    assert (stored(sessions, past).timing, stored(sessions, past).experiencer) == ("past", "patient")
    assert (stored(sessions, today).timing, stored(sessions, today).experiencer) == ("now", "patient")
    with session_scope(sessions) as session:
        score_feedback(session, [past, today])

    client = make_client(sessions, CeleryPublisher())
    with session_scope(sessions) as session:
        key = create_key(session, "test-staff", "staff")
    views = {
        fid: client.simulate_get(f"/v1/feedback/{fid}", headers=auth(key)).json["analysis"]
        for fid in (past, today)
    }
    assert views[past]["timing"] == "past" and views[past]["experiencer"] == "patient"
    assert "analyzer: happening past" in views[past]["urgency"]["reasons"]
    assert views[today]["timing"] == "now"
    assert not any(r.startswith("analyzer: happening") for r in views[today]["urgency"]["reasons"])
    assert views[past]["analyzer"] == "gemini" and "sentiment" in views[past]  # the old fields stay


def test_an_unknown_or_missing_context_reads_as_unknown(
    sessions: sessionmaker[Session], fake: FakeGemini
) -> None:
    fake.default = "odd_context"  # timing "soonish", no experiencer
    [fid] = add_feedback(sessions, PAST)
    analyze_claimed(sessions, make_analyzer(sessions, fake), [fid])
    row = stored(sessions, fid)
    assert row.analyzer == "gemini" and (row.timing, row.experiencer) == (None, None)
    with session_scope(sessions) as session:
        score_feedback(session, [fid])


def test_parse_tolerates_every_shape_of_context() -> None:
    base = {
        "sentiment_label": "negative",
        "sentiment_score": -0.5,
        "emotions": [],
        "topics": ["safety"],
        "language": "en",
        "summary": "A fall.",
        "urgency_hint": "medium",
        "urgency_reasons": [],
    }
    entries = [
        base | {"id": "1", "timing": "resolved", "experiencer": "relative"},
        base | {"id": "2"},
        base | {"id": "3", "timing": 7, "experiencer": ["patient"]},
        base | {"id": "4", "timing": None, "experiencer": "OTHER"},
    ]
    results = parse_answer(json.dumps({"items": entries}), {"1", "2", "3", "4"})
    assert (results["1"].timing, results["1"].experiencer) == ("resolved", "relative")
    assert all((results[k].timing, results[k].experiencer) == (None, None) for k in "234")


def test_the_schema_asks_for_both_fields() -> None:
    item = BatchAnswer.model_json_schema()["$defs"]["ItemAnalysis"]
    assert {"timing", "experiencer"} <= set(item["required"])


def test_the_local_analyzer_cannot_tell() -> None:
    result = LocalAnalyzer().analyze("He collapsed last month")
    assert (result.timing, result.experiencer) == (None, None)
