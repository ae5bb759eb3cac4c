"""Keep a worker alive when Redis dies while it holds unacknowledged messages.

Kombu's Redis transport, closing a channel whose connection is already gone, tries to
restore that channel's unacknowledged messages through the dead connection, asks it for
its hostname and raises AttributeError (kombu#582, #970). Celery does not count that as a
connection error: the worker reports an unrecoverable error and exits instead of
reconnecting. Nothing is lost by skipping the restore there: the messages stay in Redis's
unacked set, which the transport restores after the visibility timeout, and the stall
sweep restarts their items sooner (docs/recovery.md).
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis

_restore_unacked = kombu_redis.QoS.restore_unacked


def _restore_unless_disconnected(self: Any, client: Any = None) -> Any:
    if client is None and self.channel.connection.client is None:  # the connection is gone
        return None
    return _restore_unacked(self, client)


kombu_redis.QoS.restore_unacked = _restore_unless_disconnected
