"""The stall sweep reads the broker's lists as kombu names them: a routine message waiting
holds back routine restarts of that stage only, an urgent one urgent restarts too."""

from __future__ import annotations

import redis

from workers.relay_tasks import waiting_in_lane


def test_waiting_messages_are_read_per_queue_and_lane(redis_client: redis.Redis) -> None:
    redis_client.lpush("llm\x06\x166", "a routine analyze message")
    waiting = waiting_in_lane(redis_client)
    assert waiting("feedback.analyze", urgent=False)
    assert not waiting("feedback.analyze", urgent=True)
    assert not waiting("feedback.score", urgent=False)

    redis_client.lpush("notify", "an urgent route message")
    waiting = waiting_in_lane(redis_client)
    assert waiting("feedback.route", urgent=True) and waiting("feedback.route", urgent=False)
