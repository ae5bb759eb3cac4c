"""The floor of ingest's cost: a Falcon WSGI app that parses the JSON body of
`POST /v1/feedback` and answers 202, storing nothing. bench/ingest.py serves it with
CarePulse's own gunicorn command line, so the difference is what ingest itself spends."""

from __future__ import annotations

import falcon


class Health:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class FeedbackSink:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.get_media()
        resp.status = falcon.HTTP_202
        resp.media = {"status": "received", "channel": body.get("channel")}


app = falcon.App()
app.add_route("/healthz", Health())
app.add_route("/v1/feedback", FeedbackSink())
