"""A channel whose Redis connection died closes without taking the worker down."""

from __future__ import annotations

import pytest
from kombu import Connection

from tests.conftest import REDIS_URL
from workers import kombu_redis_close


def test_closing_a_channel_with_unacked_messages_after_the_connection_died() -> None:
    connection = Connection(REDIS_URL)
    channel = connection.channel()
    channel.qos._delivered["in-flight"] = None  # a message the worker had not acknowledged
    channel.connection.client = None  # what kombu leaves behind when the connection is lost
    with pytest.raises(AttributeError, match="hostname"):
        kombu_redis_close._restore_unacked(channel.qos)  # kombu's own restore, unpatched
    channel.close()
    assert channel.closed
