"""gunicorn's error and access logs as JSON lines on standard error (models.log_context).

`carepulse serve ingest` runs gunicorn with `--logger-class ingest.gunicorn_logger.JsonLogger`.
An access line names the route template Falcon matched, never the raw path (which may hold
a patient reference or an unsubscribe signature) nor the query string; with the method,
status, duration and the correlation id the request bound (ingest.correlation).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from ingest.correlation import ROUTE_KEY
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

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        route = environ.get(ROUTE_KEY) or "unmatched"
        method = environ.get("REQUEST_METHOD", "-")
        self.access_log.info(
            "%s %s %s",
            method,
            route,
            resp.status_code,
            extra={
                "method": method,
                "route": route,
                "status": resp.status_code,
                "duration_ms": round(request_time.total_seconds() * 1000, 2),
            },
        )
