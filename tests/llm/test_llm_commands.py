"""`carepulse reanalyze` (online and Gemini Batch mode) and `carepulse llm usage`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from carepulse.cli import main
from models.db import session_scope
from models.llm import LlmBatchJob, LlmBudgetDay, LlmFallback, LlmUsage
from models.tables import Analysis
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.stage import record_fallback, store_analysis
from tests.fakes.gemini_server import FakeGemini
from tests.llm.helpers import add_feedback


@pytest.fixture
def gemini_env(monkeypatch: pytest.MonkeyPatch, database_url: str, fake: FakeGemini) -> FakeGemini:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    monkeypatch.setenv("GEMINI_BASE_URL", fake.url)
    return fake


def analyzed_locally_during_outage(sessions: sessionmaker[Session], *texts: str) -> list[str]:
    ids = add_feedback(sessions, *texts)
    with session_scope(sessions) as session:
        for fid, text in zip(ids, texts, strict=True):
            store_analysis(session, fid, LocalAnalyzer().analyze(text), "local")
            record_fallback(session, fid, "breaker_open")
    return ids


def analyzers(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(Analysis.analyzer)))


def test_reanalyze_a_few_online(
    sessions: sessionmaker[Session], gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    analyzed_locally_during_outage(sessions, "the nurse was rude", "thank you, wonderful care", "it was ok")
    assert main(["reanalyze"]) == 0
    assert "re-analyzed 3 of 3" in capsys.readouterr().out
    assert analyzers(sessions) == {"gemini"} and len(gemini_env.requests) == 1
    with sessions() as session:
        assert all(f.reanalyzed_at is not None for f in session.scalars(select(LlmFallback)))
    assert main(["reanalyze"]) == 0  # nothing left: no second call
    assert "re-analyzed 0 of 0" in capsys.readouterr().out and len(gemini_env.requests) == 1


def test_reanalyze_many_through_batch_mode(
    sessions: sessionmaker[Session], gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    analyzed_locally_during_outage(sessions, *(f"the room was dirty, visit {i}" for i in range(12)))
    gemini_env.batch_ready = False
    assert main(["reanalyze", "--batch-threshold", "5"]) == 0
    assert "submitted 12 items as Gemini batch job batches/fake-1" in capsys.readouterr().out
    assert len(gemini_env.batches["batches/fake-1"]) == 2  # requests of up to 10 items
    assert gemini_env.requests == []  # nothing went through the online API

    assert main(["reanalyze", "--collect-only"]) == 0
    assert "batches/fake-1: running" in capsys.readouterr().out
    assert analyzers(sessions) == {"local"}

    gemini_env.batch_ready = True
    assert main(["reanalyze", "--collect-only"]) == 0
    assert "batches/fake-1: succeeded" in capsys.readouterr().out
    assert analyzers(sessions) == {"gemini"}
    with sessions() as session:
        job = session.scalar(select(LlmBatchJob))
        usage = session.scalar(select(LlmUsage).where(LlmUsage.mode == "batch"))
        ledger = session.scalar(select(LlmBudgetDay))
    assert job.state == "succeeded" and job.finished_at is not None
    assert (
        usage.total_tokens > 0 and ledger.spent_tokens == usage.total_tokens and ledger.reserved_tokens == 0
    )


def test_reanalyze_needs_a_key(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    assert main(["reanalyze"]) == 2
    assert "GOOGLE_API_KEY" in capsys.readouterr().err


def test_usage_report(
    sessions: sessionmaker[Session], gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    analyzed_locally_during_outage(sessions, "the food was cold", "great staff")
    gemini_env.script.append("500")
    main(["reanalyze"])  # one failed call, then a retry that succeeds
    capsys.readouterr()
    assert main(["llm", "usage", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    with sessions() as session:
        rows = list(session.scalars(select(LlmUsage)))
    (today,) = report["days"]
    assert (today["calls"], today["failed_calls"], today["items"]) == (2, 1, 4)
    assert today["total_tokens"] == report["spent_today"] == sum(r.total_tokens for r in rows) > 0
    assert report["fallbacks_waiting"] == 0 and report["model"] == "gemini-2.5-flash"
    assert main(["llm", "usage"]) == 0
    assert "today" in capsys.readouterr().out
