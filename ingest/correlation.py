"""A feedback's correlation id, from the moment ingest accepts it: the feedback's own id.

Each accepting endpoint calls `announce_accepted` once its rows are committed: one log
line with the id, the channel and the route (never the text), the id bound so every later
line of the request carries it (gunicorn's access line too), and the id in the
X-Correlation-ID response header. The workers log the same id on every task that handles
the item (workers.log_signals).
"""

from __future__ import annotations

import logging

import falcon

from models import log_context

log = logging.getLogger(__name__)

HEADER = "X-Correlation-ID"
ROUTE_KEY = "carepulse.route"  # WSGI environ: the matched route template, for the access log


class CorrelationMiddleware:
    """A request starts with nothing bound (a gunicorn thread serves one request after
    another) and leaves its route template for the access log. List it first."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        log_context.clear()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        req.env[ROUTE_KEY] = req.uri_template


def announce_accepted(
    req: falcon.Request, resp: falcon.Response, feedback_ids: list[str], channel: str, new: bool = True
) -> None:
    """Log the acceptance of committed feedback (`new=False`: an idempotent repeat) and
    answer its id; a batch's ids are in its body, so the header names a single item only."""
    if not feedback_ids:
        return
    log_context.bind(**log_context.correlation(feedback_ids))
    message = "feedback accepted" if new else "feedback already accepted"
    log.info(message, extra={"channel": channel, "route": req.uri_template, "items": len(feedback_ids)})
    if len(feedback_ids) == 1:
        resp.set_header(HEADER, feedback_ids[0])
