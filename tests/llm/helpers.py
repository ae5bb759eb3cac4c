"""Building the Gemini analyzer and feedback rows for the llm tests."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.tables import Feedback
from pipelines.analysis.gemini import GeminiAnalyzer
from pipelines.analysis.llm_ledger import ResultCache, TokenBudget
from pipelines.analysis.resilience import CircuitBreaker, RetryPolicy
from pipelines.clients.gemini import GeminiClient
from tests.fakes.gemini_server import FakeGemini


class SleepRecorder:
    """Records the delays asked for and waits none of them: the tests check the policy."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_analyzer(
    sessions: sessionmaker[Session],
    fake: FakeGemini,
    *,
    budget: int = 0,
    breaker: CircuitBreaker | None = None,
    attempts: int = 3,
    batch_size: int = 10,
    sleep: SleepRecorder | None = None,
) -> GeminiAnalyzer:
    return GeminiAnalyzer(
        GeminiClient("test-key", "gemini-2.5-flash", base_url=fake.url, timeout_seconds=2),
        TokenBudget(sessions, budget),
        ResultCache(sessions, "gemini-2.5-flash"),
        breaker or CircuitBreaker(failures=5, reset_seconds=60),
        RetryPolicy(max_attempts=attempts, base_delay=0.01, max_delay=0.05),
        batch_size=batch_size,
        sleep=sleep or SleepRecorder(),
    )


def add_feedback(sessions: sessionmaker[Session], *texts: str | None, rating: int | None = None) -> list[str]:
    with session_scope(sessions) as session:
        items = [Feedback(channel="kiosk", text=text, rating=rating, department="ward-3") for text in texts]
        session.add_all(items)
        session.flush()
        return [item.id for item in items]
