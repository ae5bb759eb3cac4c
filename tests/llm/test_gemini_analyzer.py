"""The Gemini analyzer over a real database: batching, retries, breaker, budget, cache."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.llm import LlmBudgetDay, LlmUsage
from pipelines.analysis.gemini import GEMINI, LOCAL, AnalysisRequest
from pipelines.analysis.resilience import CircuitBreaker, RetryPolicy
from tests.fakes.gemini_server import FakeGemini
from tests.llm.helpers import SleepRecorder, make_analyzer


def requests(n: int, prefix: str = "item") -> list[AnalysisRequest]:
    return [
        AnalysisRequest(f"{prefix}-{i}", f"the nurse was rude, visit {prefix} {i}", "en", 2) for i in range(n)
    ]


def usage_rows(sessions: sessionmaker[Session]) -> list[LlmUsage]:
    with sessions() as session:
        return list(session.scalars(select(LlmUsage).order_by(LlmUsage.id)))


def test_items_go_in_batches_and_map_back(sessions: sessionmaker[Session], fake: FakeGemini) -> None:
    outcomes = make_analyzer(sessions, fake, batch_size=10).analyze_many(requests(25))
    assert len(fake.requests) == 3
    assert {o.analyzer for o in outcomes.values()} == {GEMINI}
    assert all(o.result.sentiment_label == "negative" and o.fallback is None for o in outcomes.values())
    rows = usage_rows(sessions)
    assert [r.items for r in rows] == [10, 10, 5]
    assert all(r.outcome == "ok" and r.total_tokens == r.prompt_tokens + r.output_tokens > 0 for r in rows)


def test_text_less_items_stay_local_without_a_call(sessions: sessionmaker[Session], fake: FakeGemini) -> None:
    outcomes = make_analyzer(sessions, fake).analyze_many([AnalysisRequest("a", None, rating=1)])
    assert outcomes["a"].analyzer == LOCAL and outcomes["a"].fallback is None
    assert outcomes["a"].result.sentiment_label == "negative"
    assert fake.requests == []


def test_cache_by_normalized_text(sessions: sessionmaker[Session], fake: FakeGemini) -> None:
    analyzer = make_analyzer(sessions, fake)
    first = analyzer.analyze_many([AnalysisRequest("a", "The food was  COLD")])
    again = analyzer.analyze_many([AnalysisRequest("b", "the food was cold ")])
    assert len(fake.requests) == 1
    assert again["b"].result == first["a"].result and again["b"].analyzer == GEMINI


def test_429_waits_the_server_retry_delay(sessions: sessionmaker[Session], fake: FakeGemini) -> None:
    fake.script.extend(["429", "429"])
    fake.retry_delay = 1.5
    sleep = SleepRecorder()
    outcomes = make_analyzer(sessions, fake, sleep=sleep).analyze_many(requests(3))
    assert sleep.delays == [1.5, 1.5]
    assert {o.analyzer for o in outcomes.values()} == {GEMINI}
    assert [r.outcome for r in usage_rows(sessions)] == ["http_429", "http_429", "ok"]


def test_5xx_backs_off_exponentially_with_jitter_then_falls_back(
    sessions: sessionmaker[Session], fake: FakeGemini
) -> None:
    fake.default = "500"
    sleep = SleepRecorder()
    analyzer = make_analyzer(sessions, fake, attempts=4, sleep=sleep)
    analyzer.policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=3.0)
    outcomes = analyzer.analyze_many(requests(2))
    assert len(fake.requests) == 4 and len(sleep.delays) == 3
    assert all(0 <= d <= cap for d, cap in zip(sleep.delays, [1.0, 2.0, 3.0], strict=True))
    assert len(set(sleep.delays)) == 3  # jittered, not in step
    assert {(o.analyzer, o.fallback) for o in outcomes.values()} == {(LOCAL, "http_500")}
    assert all(o.result.sentiment_label == "negative" for o in outcomes.values())


def test_a_very_long_retry_delay_falls_back_at_once(
    sessions: sessionmaker[Session], fake: FakeGemini
) -> None:
    fake.script.append("429")
    fake.retry_delay = 3600
    sleep = SleepRecorder()
    outcomes = make_analyzer(sessions, fake, sleep=sleep).analyze_many(requests(1))
    assert sleep.delays == [] and outcomes["item-0"].fallback == "http_429"


def test_missing_and_malformed_items_are_retried_on_their_own(
    sessions: sessionmaker[Session], fake: FakeGemini
) -> None:
    fake.script.append("partial")  # answers items 1, 3, 5 of 6
    outcomes = make_analyzer(sessions, fake).analyze_many(requests(6))
    assert [
        len(__import__("json").loads(r["contents"][0]["parts"][0]["text"].split("\n", 1)[1]))
        for r in fake.requests
    ] == [6, 1, 1, 1]
    assert {o.analyzer for o in outcomes.values()} == {GEMINI}

    fake.default = "malformed"
    outcomes = make_analyzer(sessions, fake).analyze_many(requests(2, "other"))
    assert {(o.analyzer, o.fallback) for o in outcomes.values()} == {(LOCAL, "malformed_answer")}


def test_breaker_opens_goes_local_and_probes_later(sessions: sessionmaker[Session], fake: FakeGemini) -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=3, reset_seconds=30, clock=lambda: now[0])
    analyzer = make_analyzer(sessions, fake, breaker=breaker, attempts=1)
    fake.default = "500"
    for i in range(3):
        analyzer.analyze_many(requests(1, f"fail{i}"))
    assert breaker.is_open and len(fake.requests) == 3

    outcome = analyzer.analyze_many(requests(1, "open"))["open-0"]
    assert (outcome.analyzer, outcome.fallback) == (LOCAL, "breaker_open")
    assert len(fake.requests) == 3  # no call while open

    now[0] = 31
    fake.default = "ok"
    assert analyzer.analyze_many(requests(1, "probe"))["probe-0"].analyzer == GEMINI
    assert not breaker.is_open


def test_a_failed_probe_reopens_the_breaker(sessions: sessionmaker[Session], fake: FakeGemini) -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=1, reset_seconds=30, clock=lambda: now[0])
    analyzer = make_analyzer(sessions, fake, breaker=breaker, attempts=1)
    fake.default = "500"
    analyzer.analyze_many(requests(1, "a"))
    now[0] = 31
    analyzer.analyze_many(requests(1, "probe"))
    assert breaker.is_open and len(fake.requests) == 2
    assert analyzer.analyze_many(requests(1, "b"))["b-0"].fallback == "breaker_open"


def test_daily_budget_is_never_exceeded_by_more_than_one_request(
    sessions: sessionmaker[Session], fake: FakeGemini
) -> None:
    budget = 20_000
    fake.latency = 0.05
    analyzer = make_analyzer(sessions, fake, budget=budget, batch_size=5)
    with ThreadPoolExecutor(max_workers=4) as pool:  # four workers spending one budget
        results = list(pool.map(lambda n: analyzer.analyze_many(requests(40, f"w{n}")), range(4)))
    outcomes = [o for r in results for o in r.values()]
    rows = usage_rows(sessions)
    spent = sum(r.total_tokens for r in rows)
    with sessions() as session:
        ledger = session.scalar(select(LlmBudgetDay))
        assert session.scalar(select(func.count()).select_from(LlmUsage)) == len(rows)
    assert ledger.spent_tokens == spent and ledger.reserved_tokens == 0
    assert budget < spent <= budget + max(r.total_tokens for r in rows)
    assert {o.fallback for o in outcomes if o.analyzer == LOCAL} == {"budget_spent"}
    assert any(o.analyzer == GEMINI for o in outcomes)
