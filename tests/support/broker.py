"""Reading what waits on the broker: kombu's Redis transport keeps one list per queue and
priority step (`queue` for priority 0, `queue\\x06\\x16N` for step N)."""

from __future__ import annotations

import json
from typing import Any

import redis

PRIORITY_STEPS = (0, 3, 6, 9)  # kombu's default for Redis


def _lists(queue: str) -> list[tuple[int, str]]:
    return [(step, queue if step == 0 else f"{queue}\x06\x16{step}") for step in PRIORITY_STEPS]


def queued_messages(client: redis.Redis, queue: str) -> list[tuple[int, dict[str, Any]]]:
    """(priority, message) of everything waiting on `queue`, in the order workers take it."""
    return [
        (step, json.loads(raw))
        for step, key in _lists(queue)
        for raw in reversed(client.lrange(key, 0, -1))  # LPUSH in, BRPOP out
    ]


def queued_task_names(client: redis.Redis, queue: str) -> list[str]:
    return [message["headers"]["task"] for _, message in queued_messages(client, queue)]


def take_queued(client: redis.Redis, queue: str) -> dict[str, Any] | None:
    """Take the next message off `queue` as a worker's BRPOP does, and deliver it nowhere:
    what the broker holds after a worker dies between the pop and recording the message as
    unacknowledged."""
    for _, key in _lists(queue):
        raw = client.rpop(key)
        if raw is not None:
            return json.loads(raw)
    return None
