"""The relay queue: publish outbox rows that ingest could not (broker down, crash), and
start again the items whose chain stalled (a message lost with a killed worker, see
`pipelines.stalls`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from functools import cache

import redis

from celeryconfig import URGENT_PRIORITY, task_routes
from models.tables import OutboxEntry, utcnow
from pipelines.outbox import claim_unpublished, mark_published, split_fast_lane
from pipelines.stalls import claim_stalled, mark_restarted
from workers import runtime
from workers.app import app
from workers.chains import audio_chain, chain_from
from workers.stage_task import RecordedTask

log = logging.getLogger(__name__)


PRIORITY_STEPS = (0, 3, 6, 9)  # kombu's default for Redis
PRIORITY_SEPARATOR = "\x06\x16"  # kombu's, between a queue's name and a priority step
SWEEP_LIMIT = 2000
CHAIN_SIZE = 50
# Speech costs seconds of CPU a clip: restarted clips go one to a chain, so that a batch of
# them never outlasts the task time limit.
RESTART_CHAIN_SIZES = {"feedback.transcribe": 1}


@cache
def _broker() -> redis.Redis:
    return redis.Redis.from_url(runtime.settings().redis_url, socket_timeout=5)


def waiting_in_lane(client: redis.Redis) -> Callable[[str, bool], bool]:
    """Whether a stage's queue holds messages waiting in a lane: kombu keeps one list per
    queue and priority step (the queue's name for priority 0, then its separator and the
    step); an urgent lane is priority 0 alone, a routine one any step. Lengths are read
    once per sweep."""
    lengths: dict[str, int] = {}

    def length(key: str) -> int:
        if key not in lengths:
            lengths[key] = int(client.llen(key))
        return lengths[key]

    def waiting(stage: str, urgent: bool) -> bool:
        queue = task_routes[stage]["queue"]
        steps = (URGENT_PRIORITY,) if urgent else PRIORITY_STEPS
        return any(length(queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}") for step in steps)

    return waiting


def _chunks(entries: list[OutboxEntry], size: int = CHAIN_SIZE) -> list[list[OutboxEntry]]:
    return [entries[start : start + size] for start in range(0, len(entries), size)]


@app.task(name="outbox.sweep", base=RecordedTask, acks_late=True)
def sweep() -> int:
    """Publish unpublished rows in chains of CHAIN_SIZE ids, red-flagged ones first and in
    the fast lane; return how many.

    The rows stay locked until the commit after publishing, so a crash in between
    republishes them next time: at-least-once, which idempotent stages absorb.
    """
    grace = timedelta(seconds=runtime.settings().outbox_grace_seconds)
    with runtime.task_session() as session:
        entries = claim_unpublished(session, grace, SWEEP_LIMIT)
        for urgent, lane in zip((True, False), split_fast_lane(session, entries), strict=True):
            for batch in _chunks(lane):
                # audio_chain: the relay cannot tell audio from text; transcribe passes text through.
                audio_chain([entry.feedback_id for entry in batch], urgent=urgent).apply_async(retry=False)
                mark_published(session, [entry.id for entry in batch])
        if entries:
            log.info("outbox relay published %d items", len(entries))
        return len(entries)


@app.task(name="stages.sweep", base=RecordedTask, acks_late=True)
def sweep_stalled() -> int:
    """Start again every item whose chain has been silent too long for its lane, from the
    stage where it stopped and in its own lane (an urgent one at priority 0), urgent ones
    first; return how many. Claimed as `outbox.sweep` claims, so two sweeps never overlap."""
    now = utcnow()
    with runtime.task_session() as session:
        stalled = claim_stalled(session, now, SWEEP_LIMIT, waiting_in_lane(_broker()))
        groups: dict[tuple[bool, str], list[OutboxEntry]] = defaultdict(list)
        for item in stalled:
            groups[(item.urgent, item.stage)].append(item.entry)
        for (urgent, stage), entries in sorted(groups.items(), key=lambda group: not group[0][0]):
            for batch in _chunks(entries, RESTART_CHAIN_SIZES.get(stage, CHAIN_SIZE)):
                chain_from(stage, [entry.feedback_id for entry in batch], urgent=urgent).apply_async(
                    retry=False
                )
                mark_restarted(session, [entry.id for entry in batch], now)
        if stalled:
            log.warning(
                "stall sweep restarted %d items (%d urgent) at %s",
                len(stalled),
                sum(item.urgent for item in stalled),
                ", ".join(sorted({item.stage for item in stalled})),
            )
        return len(stalled)
