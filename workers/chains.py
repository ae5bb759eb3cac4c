"""The canvas: which task follows which. The only place chains are composed.

Signatures go by task name, so publishers (ingest, the relay) need not import tasks.
Every stage takes a list of feedback ids, so a caller may batch many items into one
chain and pay Celery's per-task cost once.

The fast lane: feedback whose text trips a critical or high red flag at ingest runs its
whole chain at URGENT_PRIORITY. Kombu's Redis transport pops every queue's priority-0 list
before any lower one, so a cry for help never waits behind a backlog of routine items.
"""

from __future__ import annotations

import time
from typing import Any

from celery import Celery, chain
from celery.canvas import Signature
from kombu.exceptions import ChannelError

from celeryconfig import ROUTINE_PRIORITY, URGENT_PRIORITY
from workers.app import app as default_app

FEEDBACK_STAGES = ("feedback.transcribe", "feedback.analyze", "feedback.score", "feedback.route")


def chain_from(
    stage: str, feedback_ids: list[str], app: Celery = default_app, urgent: bool = False
) -> Signature:
    """The feedback chain from `stage` on, every step in the lane asked for (a signature by
    name does not get task_default_priority: it is set here). A replayed stage continues
    the chain where it stopped."""
    options = {"priority": URGENT_PRIORITY if urgent else ROUTINE_PRIORITY}
    first, *rest = FEEDBACK_STAGES[FEEDBACK_STAGES.index(stage) :]
    return chain(
        app.signature(first, args=(feedback_ids,), **options),
        *(app.signature(name, **options) for name in rest),
    )


def feedback_chain(feedback_ids: list[str], app: Celery = default_app, urgent: bool = False) -> Signature:
    """analyze → score → route for the given items."""
    return chain_from("feedback.analyze", feedback_ids, app, urgent)


def audio_chain(feedback_ids: list[str], app: Celery = default_app, urgent: bool = False) -> Signature:
    """transcribe → analyze → score → route. Text items pass through transcribe
    untouched, so the outbox relay may use this chain for every item."""
    return chain_from("feedback.transcribe", feedback_ids, app, urgent)


def replay_signature(
    task_name: str, args: list[Any], kwargs: dict[str, Any], priority: int | None, app: Celery = default_app
) -> Signature:
    """A dead letter's work again, as a new task: a feedback stage with the rest of its
    chain, any other task alone, at the priority it was first delivered at."""
    priority = ROUTINE_PRIORITY if priority is None else priority
    if task_name in FEEDBACK_STAGES and args:
        return chain_from(task_name, list(args[0]), app, urgent=priority == URGENT_PRIORITY)
    return app.signature(task_name, args=tuple(args), kwargs=kwargs, priority=priority)


class BrokerResting(ConnectionError):
    """A publish failed moments ago: this one is left to the outbox relay at once."""


class CeleryPublisher:
    """Starts feedback chains on the broker; raises if the broker cannot take them.

    No publish retry: the caller has the outbox, and a kiosk must not wait on Redis. A
    failed publish costs about 2 s even when Redis refuses the connection, so after one
    failure the publisher rests for `rest_seconds` and fails at once: during an outage
    every POST still answers 202 in milliseconds and the relay publishes later.
    """

    def __init__(self, app: Celery = default_app, rest_seconds: float = 5.0) -> None:
        self._app = app
        self._rest = rest_seconds
        self._resting_until = 0.0

    def _start(self, signature: Signature) -> None:
        if time.monotonic() < self._resting_until:
            raise BrokerResting("the last publish failed; the outbox relay will publish this")
        try:
            signature.apply_async(retry=False)
        except Exception:
            self._resting_until = time.monotonic() + self._rest
            raise

    def publish(self, feedback_ids: list[str]) -> None:
        self._start(feedback_chain(feedback_ids, self._app))

    def publish_urgent(self, feedback_ids: list[str]) -> None:
        """The fast lane, for items whose red flags say someone may need help now."""
        self._start(feedback_chain(feedback_ids, self._app, urgent=True))

    def publish_audio(self, feedback_ids: list[str]) -> None:
        self._start(audio_chain(feedback_ids, self._app))

    def ping(self) -> None:
        """Raise unless the broker answers (kombu's Redis channel pings on open)."""
        with self._app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            _ = conn.default_channel

    def queue_depths(self) -> dict[str, int]:
        """Messages waiting in each queue: what Flower cannot tell (DESIGN.md)."""
        depths = {}
        with self._app.connection_for_write() as conn:
            channel = conn.default_channel
            for queue in self._app.conf.task_queues:
                try:
                    depths[queue.name] = channel.queue_declare(queue=queue.name, passive=True).message_count
                except ChannelError:  # never declared on this broker: nothing ever waited there
                    depths[queue.name] = 0
        return depths
