"""The Gemini analyzer, with the local analyzer behind it.

Items go to Gemini in micro-batches of up to `batch_size`; answers are mapped back by a
short per-prompt key and validated one by one. An item whose answer is missing or
malformed is asked again on its own; whatever still fails, and everything while the
breaker is open or the day's token budget is spent, is answered by the local analyzer,
and the outcome says so. Nothing is ever lost to a failed call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from models.llm import LlmUsage
from models.settings import Settings
from pipelines.analysis.gemini_prompt import (
    SYSTEM_INSTRUCTION,
    BatchAnswer,
    PromptItem,
    build_prompt,
    estimate_tokens,
    max_output_tokens,
    parse_answer,
)
from pipelines.analysis.injection import guard, looks_like_instruction
from pipelines.analysis.llm_ledger import ResultCache, TokenBudget, cache_key
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.resilience import CircuitBreaker, RetryPolicy
from pipelines.analysis.result import AnalysisResult
from pipelines.clients.gemini import GeminiClient, GeminiError

log = logging.getLogger(__name__)

GEMINI = "gemini"
LOCAL = "local"


@dataclass(frozen=True)
class AnalysisRequest:
    key: str  # the feedback id
    text: str | None
    language: str | None = None
    rating: int | None = None
    emoji: str | None = None


@dataclass(frozen=True)
class AnalysisOutcome:
    result: AnalysisResult
    analyzer: str  # GEMINI | LOCAL
    fallback: str | None = None  # why the local analyzer answered although Gemini is configured


class Fallback(Exception):
    """Gemini cannot answer this chunk now; `reason` is stored with each item."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GeminiAnalyzer:
    name = GEMINI

    def __init__(
        self,
        client: GeminiClient,
        budget: TokenBudget,
        cache: ResultCache,
        breaker: CircuitBreaker,
        policy: RetryPolicy,
        batch_size: int = 10,
        local: LocalAnalyzer | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.budget = budget
        self.cache = cache
        self.breaker = breaker
        self.policy = policy
        self.batch_size = batch_size
        self.local = local or LocalAnalyzer()
        self._sleep = sleep

    def analyze(
        self,
        text: str | None,
        *,
        language: str | None = None,
        rating: int | None = None,
        emoji: str | None = None,
    ) -> AnalysisResult:
        """The single-item Analyzer protocol, for callers that score one text."""
        request = AnalysisRequest("0", text, language, rating, emoji)
        return self.analyze_many([request])["0"].result

    def analyze_many(self, requests: list[AnalysisRequest]) -> dict[str, AnalysisOutcome]:
        """One outcome per request key; never raises for Gemini's failures."""
        outcomes: dict[str, AnalysisOutcome] = {}
        asked: list[AnalysisRequest] = []
        for request in requests:
            if request.text and request.text.strip():
                asked.append(request)
            else:  # a rating or an emoji alone: nothing for a language model to read
                outcomes[request.key] = AnalysisOutcome(self._local(request), LOCAL)
        keys = {r.key: cache_key(self.client.model, r.text or "", r.rating, r.language) for r in asked}
        cached = self.cache.get_many(list(keys.values()))
        outcomes.update(
            {r.key: AnalysisOutcome(cached[keys[r.key]], GEMINI) for r in asked if keys[r.key] in cached}
        )
        todo = [r for r in asked if keys[r.key] not in cached]
        for start in range(0, len(todo), self.batch_size):
            outcomes.update(self._analyze_chunk(todo[start : start + self.batch_size], keys))
        for request in asked:
            outcome = outcomes[request.key]
            if outcome.analyzer == GEMINI and looks_like_instruction(request.text):
                guarded = guard(outcome.result, self._local(request))
                outcomes[request.key] = AnalysisOutcome(guarded, GEMINI)
        return outcomes

    def _analyze_chunk(
        self, chunk: list[AnalysisRequest], keys: dict[str, str]
    ) -> dict[str, AnalysisOutcome]:
        try:
            answered = self._call(chunk)
        except Fallback as exc:
            return {r.key: AnalysisOutcome(self._local(r), LOCAL, exc.reason) for r in chunk}
        reasons: dict[str, str] = {}
        for request in [r for r in chunk if r.key not in answered] if len(chunk) > 1 else []:
            try:
                answered.update(self._call([request]))
            except Fallback as exc:
                reasons[request.key] = exc.reason
        self.cache.put_many({keys[key]: result for key, result in answered.items()})
        return {
            r.key: AnalysisOutcome(answered[r.key], GEMINI)
            if r.key in answered
            else AnalysisOutcome(self._local(r), LOCAL, reasons.get(r.key, "malformed_answer"))
            for r in chunk
        }

    def _call(self, chunk: list[AnalysisRequest]) -> dict[str, AnalysisResult]:
        """The valid answers by request key, after retries; raises Fallback."""
        short = {str(i): request for i, request in enumerate(chunk, start=1)}
        prompt = build_prompt([PromptItem(k, r.text or "", r.rating, r.language) for k, r in short.items()])
        estimate = estimate_tokens(prompt, len(chunk))
        for attempt in range(1, self.policy.max_attempts + 1):
            day = self.budget.reserve(estimate)
            if day is None:
                raise Fallback("budget_spent")
            if not self.breaker.allow():
                self.budget.settle(day, estimate, None)
                raise Fallback("breaker_open")
            started = time.monotonic()
            try:
                reply = self.client.generate(
                    SYSTEM_INSTRUCTION, prompt, BatchAnswer, max_output_tokens(len(chunk))
                )
            except GeminiError as exc:
                self.budget.settle(day, estimate, self._usage(exc.kind, len(chunk), started))
                self.breaker.record_failure()
                log.warning("gemini call failed (%s), attempt %d", exc.kind, attempt)
                too_long = exc.retry_after is not None and exc.retry_after > self.policy.max_server_delay
                if not exc.retryable or too_long or attempt == self.policy.max_attempts:
                    raise Fallback(exc.kind) from None
                self._sleep(self.policy.delay(attempt, exc.retry_after))
                continue
            answers = parse_answer(reply.text, set(short))
            outcome = "ok" if len(answers) == len(chunk) else "partial" if answers else "malformed"
            usage = self._usage(outcome, len(chunk), started)
            usage.prompt_tokens = reply.usage.prompt_tokens
            usage.output_tokens = reply.usage.output_tokens
            usage.total_tokens = reply.usage.total_tokens
            self.budget.settle(day, estimate, usage)
            self.breaker.record_success()
            return {short[k].key: result for k, result in answers.items()}
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _usage(self, outcome: str, items: int, started: float) -> LlmUsage:
        return LlmUsage(
            model=self.client.model,
            mode="online",
            outcome=outcome,
            items=items,
            prompt_tokens=0,
            output_tokens=0,
            total_tokens=0,
            latency_ms=int((time.monotonic() - started) * 1000),
        )

    def _local(self, request: AnalysisRequest) -> AnalysisResult:
        return self.local.analyze(
            request.text, language=request.language, rating=request.rating, emoji=request.emoji
        )


def gemini_analyzer(settings: Settings, sessions: sessionmaker[Session]) -> GeminiAnalyzer:
    """The configured analyzer of a worker process (GOOGLE_API_KEY is set)."""
    assert settings.google_api_key
    client = GeminiClient(
        settings.google_api_key,
        settings.gemini_model,
        base_url=settings.gemini_base_url,
        timeout_seconds=settings.gemini_timeout_seconds,
    )
    return GeminiAnalyzer(
        client,
        TokenBudget(sessions, settings.gemini_daily_token_budget),
        ResultCache(sessions, settings.gemini_model),
        CircuitBreaker(settings.gemini_breaker_failures, settings.gemini_breaker_reset_seconds),
        RetryPolicy(max_attempts=settings.gemini_max_attempts),
        batch_size=settings.gemini_batch_size,
    )
