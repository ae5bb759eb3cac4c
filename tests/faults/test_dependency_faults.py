"""Gemini, Twilio and SendGrid answering 5xx or timing out while feedback flows, through
the real SDKs against the local fakes; one running system serves the module's cases.

- Gemini failing: every item is still analyzed once, by the local analyzer, and the
  stand-in is recorded (`llm_fallbacks`) for `carepulse reanalyze`.
- A provider failing: pages are retried with backoff and reach each contact once. A
  Twilio timeout is ambiguous (the fake has taken the message but answers too late): the
  page waits out its lease, then Twilio's message list (`find_sent`) shows it was sent.
  The SendGrid timeout is a gateway that gave up before SendGrid took the mail (SendGrid
  cannot be asked whether a mail went out; see pipelines/clients/sendgrid_email.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from models.llm import LlmFallback
from models.tables import Alert, Analysis
from tests.fakes.gemini_server import FakeGemini, running_fake
from tests.fakes.providers import FakeProviders, fake_providers
from tests.support.fault_system import ALL_QUEUES, PAGES, FaultSystem, fault_env, fault_system
from tests.support.fault_table import FaultRow

GEMINI_ITEMS = 12
PAGED_ITEMS = 8  # all critical: two pages each
PROVIDER_FAULTS: dict[str, tuple[int, Callable[[FakeProviders], None]]] = {
    # case: (requests that fail, how they fail)
    "Twilio 5xx": (6, lambda fakes: fakes.twilio.fail_next(500, 6)),
    "Twilio timeout": (3, lambda fakes: fakes.twilio.delay_next(3, 3.0)),
    "SendGrid 5xx": (6, lambda fakes: fakes.sendgrid.fail_next(500, 6)),
    "SendGrid timeout": (3, lambda fakes: fakes.sendgrid.stall_next(3, 3.0)),
}


@dataclass(frozen=True)
class Dependencies:
    system: FaultSystem
    gemini: FakeGemini
    providers: FakeProviders


@pytest.fixture(scope="module")
def dependencies(
    module_pg_url: str, module_redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dependencies]:
    with running_fake() as gemini, fake_providers() as providers:
        env = fault_env(
            module_pg_url,
            module_redis,
            tmp_path_factory.mktemp("dependencies"),
            providers,
            CELERY_VISIBILITY_TIMEOUT="10",  # room for a few 1 s timeouts within one task
            GOOGLE_API_KEY="fake-gemini-key",
            GEMINI_BASE_URL=gemini.url,
            GEMINI_TIMEOUT_SECONDS="1",
            GEMINI_MAX_ATTEMPTS="2",
            GEMINI_BATCH_WAIT_MS="200",
            GEMINI_BREAKER_FAILURES="1000",  # every batch meets the fault itself, none the breaker
        )
        with fault_system(env, providers) as system:
            system.start(system.worker(ALL_QUEUES, concurrency=2))
            yield Dependencies(system, gemini, providers)


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("behaviour", "reason", "case"),
    [("500", "http_500", "Gemini 5xx"), ("slow", "timeout", "Gemini timeout")],
)
def test_gemini_failing_leaves_the_local_analyzer_to_answer(
    behaviour: str,
    reason: str,
    case: str,
    dependencies: Dependencies,
    record_fault: Callable[[FaultRow, str], None],
) -> None:
    system, gemini = dependencies.system, dependencies.gemini
    kiosk = system.kiosk()
    asked_before = len(gemini.requests)
    gemini.default = behaviour
    try:
        kiosk.post_many(GEMINI_ITEMS)
        outcome = system.wait_settled(kiosk, 120)
    finally:
        gemini.default = "ok"

    record_fault(outcome.row(case), outcome.details())
    with system.sessions() as session:
        analyzers = Counter(
            session.scalars(select(Analysis.analyzer).where(Analysis.feedback_id.in_(kiosk.accepted)))
        )
        fallbacks = dict(
            session.execute(
                select(LlmFallback.feedback_id, LlmFallback.reason).where(
                    LlmFallback.feedback_id.in_(kiosk.accepted)
                )
            ).all()
        )
    assert analyzers == Counter(local=GEMINI_ITEMS)
    assert fallbacks == dict.fromkeys(kiosk.accepted, reason)
    assert gemini.responses[asked_before:] and set(gemini.responses[asked_before:]) == {behaviour}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("case", PROVIDER_FAULTS)
def test_provider_failing_pages_each_contact_once(
    case: str, dependencies: Dependencies, record_fault: Callable[[FaultRow, str], None]
) -> None:
    system = dependencies.system
    failures, inject = PROVIDER_FAULTS[case]
    kiosk = system.kiosk()
    inject(dependencies.providers)
    kiosk.post_many(PAGED_ITEMS, critical_every=1)
    outcome = system.wait_settled(kiosk, 120)

    record_fault(outcome.row(case), outcome.details())
    assert outcome.sent == PAGED_ITEMS * len(PAGES) and outcome.failed_pages == 0  # the provider recovered
    with system.sessions() as session:
        attempts = session.scalar(
            select(func.sum(Alert.attempts)).where(Alert.feedback_id.in_(kiosk.accepted))
        )
    assert attempts >= PAGED_ITEMS * len(PAGES) + failures, "the failed requests were never retried"
