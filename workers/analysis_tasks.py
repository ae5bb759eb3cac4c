"""The llm queue: read sentiment, emotions and topics.

With GOOGLE_API_KEY set, items are micro-batched across tasks (see
pipelines/analysis/batching.py): a task may return fewer or more ids than it was
given, and its chain scores exactly the items it analyzed. `llm.sweep` starts a collector
for buffered items a crashed worker left behind; `stages.sweep` restarts the rest.
"""

from __future__ import annotations

import logging
from functools import cache

import redis

from pipelines.analysis.batching import BatchWindow, RedisCollector, collect_and_analyze, stale_work
from pipelines.analysis.gemini import GeminiAnalyzer
from pipelines.analysis.reanalysis import collect_batch_jobs
from pipelines.analysis.stage import analyze_feedback
from pipelines.isolation import isolate
from workers import runtime
from workers.app import app
from workers.chains import feedback_chain
from workers.stage_task import NOT_POISON, RecordedTask, StageTask

log = logging.getLogger(__name__)

SWEEP_GRACE_SECONDS = 20.0  # above a batch window (GEMINI_BATCH_WAIT_MS); a crash is rare


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(runtime.settings().redis_url, socket_timeout=5)


def _window() -> BatchWindow:
    s = runtime.settings()
    return BatchWindow(size=s.gemini_batch_size, wait_seconds=s.gemini_batch_wait_ms / 1000)


def _start_collector(urgent: bool) -> None:
    """An empty chain: its analyze task collects what is waiting, then scores and routes it,
    in the fast lane if an urgent item waits. If the broker refuses, `llm.sweep` starts one later."""
    try:
        feedback_chain([], urgent=urgent).apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the buffer is durable, the sweep retries
        log.warning("could not start a collector; llm.sweep will")


@app.task(name="feedback.analyze", base=StageTask, bind=True)
def analyze(self: StageTask, feedback_ids: list[str]) -> list[str]:
    analyzer = runtime.analyzer()
    if not isinstance(analyzer, GeminiAnalyzer):
        with runtime.task_session() as session:
            return self.each_item(session, feedback_ids, lambda s, ids: analyze_feedback(s, ids, analyzer))
    window = _window()
    collector = RedisCollector(_redis(), ttl_seconds=window.wait_seconds + 10)
    # The batcher commits in steps of its own: an item is taken alone again from the start.
    outcome = isolate(
        feedback_ids,
        lambda ids: collect_and_analyze(
            runtime.session_factory(), collector, analyzer, ids, window, on_leftovers=_start_collector
        ),
        NOT_POISON,
    )
    if outcome.poisoned:
        with runtime.task_session() as session:
            self.dead_letter_items(session, outcome.poisoned)
    return outcome.done


@app.task(name="llm.sweep", base=RecordedTask, ignore_result=True)
def sweep() -> bool:
    """Start a collector for buffered items nobody is collecting, in their lane; analyzed
    items never scored are `stages.sweep`'s."""
    with runtime.task_session() as session:
        urgent = stale_work(session, SWEEP_GRACE_SECONDS)
    if urgent is not None:
        _start_collector(urgent)
    return urgent is not None


@app.task(name="llm.collect_batches", base=RecordedTask, ignore_result=True)
def collect_batches() -> int:
    """Apply finished Gemini Batch-mode jobs that `carepulse reanalyze` submitted."""
    analyzer = runtime.analyzer()
    if not isinstance(analyzer, GeminiAnalyzer):
        return 0
    return len(collect_batch_jobs(runtime.session_factory(), analyzer))
