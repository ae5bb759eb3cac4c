"""gunicorn's error log as JSON lines on standard error (models.log_context).

`carepulse serve ingest` runs gunicorn with `--logger-class ingest.gunicorn_logger.JsonLogger`.
gunicorn writes no access lines (it has no `--access-logfile`): the app writes one line per
request itself (ingest.correlation.RequestLog), with the route template and the ids of the
feedback the request accepted.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from models.log_context import configure_logging


class JsonLogger(Logger):
    def setup(self, cfg: Any) -> None:
        """gunicorn's loggers hand their lines to the root's JSON handler, which the app's
        own loggers use too."""
        super().setup(cfg)
        for gunicorn_log in (self.error_log, self.access_log):
            for handler in list(gunicorn_log.handlers):
                gunicorn_log.removeHandler(handler)
            gunicorn_log.propagate = True
        configure_logging(self.loglevel)
