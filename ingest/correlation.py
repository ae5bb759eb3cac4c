"""One log line per request, carrying the correlation id of the feedback it accepted.

A feedback's correlation id is its own id, from the moment ingest accepts it. Each
accepting endpoint calls `announce_accepted` once its rows are committed: the id is bound,
so every later line of the request carries it, and answered in X-Correlation-ID. The
request's own line, written by `RequestLog` when the response is ready, then says
"feedback accepted" with the channel and the number of items; other requests' lines say
"METHOD route status". Every line names the route template Falcon matched, never the raw
path (which may hold a patient reference or an unsubscribe signature) nor the query, with
the method, status and duration. One line per request, not an acceptance line and an
access line: formatting and writing log lines was a fifth of ingest's CPU per POST. The
workers log the same id on every task that handles the item (workers.log_signals).
"""

from __future__ import annotations

import logging
import time

import falcon

from models import log_context

log = logging.getLogger(__name__)

HEADER = "X-Correlation-ID"


class RequestLog:
    """Falcon middleware; list it first, so that its line is written last, with the final
    status. A request starts with nothing bound (a gunicorn thread serves one request
    after another)."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        log_context.clear()
        req.context.log_started = time.perf_counter()
        req.context.accepted = None

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        route = req.uri_template or "unmatched"
        status = resp.status_code
        fields = {
            "method": req.method,
            "route": route,
            "status": status,
            "duration_ms": round((time.perf_counter() - req.context.log_started) * 1000, 2),
        }
        accepted = req.context.accepted
        if accepted is None:
            log.info("%s %s %s", req.method, route, status, extra=fields)
        else:
            message, channel, items = accepted
            log.info(message, extra={**fields, "channel": channel, "items": items})
        log_context.clear()


def announce_accepted(
    req: falcon.Request, resp: falcon.Response, feedback_ids: list[str], channel: str, new: bool = True
) -> None:
    """Mark the request as having accepted committed feedback (`new=False`: an idempotent
    repeat), bind its ids for the request's lines and answer the id; a batch's ids are in
    its body, so the header names a single item only."""
    if not feedback_ids:
        return
    log_context.bind(**log_context.correlation(feedback_ids))
    req.context.accepted = (
        "feedback accepted" if new else "feedback already accepted",
        channel,
        len(feedback_ids),
    )
    if len(feedback_ids) == 1:
        resp.set_header(HEADER, feedback_ids[0])
