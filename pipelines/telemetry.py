"""The workers' Prometheus metrics, in one place, and the calls that count into them.

Each worker process counts on its own; under Celery's prefork pool the children write to
PROMETHEUS_MULTIPROC_DIR (`carepulse serve worker` sets it) and the worker's main process
serves their sum (`workers.metrics`). Counting costs a few microseconds: a label lookup and
a write to a memory-mapped file, nothing on the network.

Labels carry task names, channels, levels and outcomes only: never an id or a recipient.
"""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import Counter, Histogram

STAGE_DURATION = Histogram(
    "carepulse_stage_duration_seconds",
    "Run time of one Celery task, by task name and outcome (success, failure, retry, ...)",
    ["task", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
STAGE_ITEMS = Counter(
    "carepulse_stage_items_total",
    "Feedback items handed to a pipeline task, by task name and outcome",
    ["task", "outcome"],
)
INGEST_TO_ALERT = Histogram(
    "carepulse_ingest_to_alert_seconds",
    "From a feedback's arrival at ingest to its first page being sent",
    ["channel", "level"],
    buckets=(0.5, 1, 2, 3, 5, 10, 15, 30, 60, 120, 300, 600, 1800),
)
LLM_REQUESTS = Counter(
    "carepulse_llm_requests_total",
    "Gemini calls (online) and Batch-mode jobs, by model, mode and outcome",
    ["model", "mode", "outcome"],
)
LLM_TOKENS = Counter(
    "carepulse_llm_tokens_total",
    "Gemini tokens spent, by model and kind (prompt, output: thinking included)",
    ["model", "kind"],
)
SENDS = Counter(
    "carepulse_sends_total",
    "Outbound messages by channel, kind (page, escalation, digest, silence, reminder, "
    "survey_invite) and result (sent, retry, failed, suppressed)",
    ["channel", "kind", "result"],
)


def observe_task(task: str, outcome: str, seconds: float, items: int) -> None:
    STAGE_DURATION.labels(task, outcome).observe(seconds)
    if items:
        STAGE_ITEMS.labels(task, outcome).inc(items)


def observe_ingest_to_alert(channel: str, level: str, elapsed: timedelta) -> None:
    INGEST_TO_ALERT.labels(channel, level).observe(max(0.0, elapsed.total_seconds()))


def count_llm_call(model: str, mode: str, outcome: str, prompt_tokens: int, output_tokens: int) -> None:
    LLM_REQUESTS.labels(model, mode, outcome).inc()
    if prompt_tokens:
        LLM_TOKENS.labels(model, "prompt").inc(prompt_tokens)
    if output_tokens:
        LLM_TOKENS.labels(model, "output").inc(output_tokens)


def count_send(channel: str, kind: str, result: str) -> None:
    SENDS.labels(channel, kind, result).inc()
