"""Every worker shutdown ends: a worker that cannot stop never comes back.

Celery's prefork pool can wedge its own shutdown. After a broker outage longer than the
task time limit, the limits fire on tasks that finished while the consumer reconnected;
pool children die mid-write and the main process, shutting down on the "unrecoverable
error" that follows, blocks for ever reading the broken result pipe (Celery 5.7 on a
Redis restart). Such a worker holds no task yet never exits, so neither the container's
restart policy nor an operator notices. This step gives a shutdown the time its running
tasks may take, then ends the process.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import bootsteps

log = logging.getLogger(__name__)

FAILED_GRACE_SECONDS = 15.0  # after an unrecoverable error: the broker redelivers what ran
STOP_MARGIN_SECONDS = 30.0  # a warm stop waits for running tasks, at most the time limit


class ExitWatchdog(bootsteps.StartStopStep):
    """Stops before the pool (it starts after it), so its timer covers the pool's join."""

    requires = ("celery.worker.components:Pool",)

    def stop(self, parent: Any) -> None:
        if parent.exitcode:
            self._arm(FAILED_GRACE_SECONDS, parent.exitcode)
        else:
            limit = parent.app.conf.task_time_limit or 0
            self._arm(limit + STOP_MARGIN_SECONDS, 0)

    def terminate(self, parent: Any) -> None:
        self._arm(FAILED_GRACE_SECONDS, parent.exitcode or 1)

    @staticmethod
    def _arm(grace: float, exitcode: int) -> None:
        def _exit() -> None:
            log.critical("worker still stopping after %.0f s: exiting with code %d", grace, exitcode)
            logging.shutdown()
            os._exit(exitcode)

        timer = threading.Timer(grace, _exit)
        timer.daemon = True  # a shutdown that does end is never held up
        timer.start()
