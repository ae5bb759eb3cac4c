"""A local fake of the Gemini REST API, speaking its documented wire format.

`POST /{version}/models/{model}:generateContent` answers the JSON our response schema
asks for, `POST .../models/{model}:batchGenerateContent` and `GET /{version}/batches/{id}`
play Batch mode. Behaviour per request: "ok" (after `latency` seconds), "429" (with a
`google.rpc.RetryInfo` retryDelay), "500" (or any other status code), "slow" (5 s more
than `latency`), "malformed" (a 200 whose text is not JSON),
"partial" (drops every other item), "obey" (a model that followed an injected
instruction: everything low urgency and positive), "odd_context" (a timing outside the
schema's values and no experiencer at all). A script of behaviours is consumed
first, then `storm` draws 429/500 at random, then `default` applies.

The "ok" model is deliberately simple: a few keywords decide sentiment and urgency.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.loopback import JsonHandler, serving

NEGATIVE = re.compile(r"rude|dirty|cold|awful|terrible|waited|horrible|pain|sale|sucio|mal", re.I)
POSITIVE = re.compile(r"kind|great|wonderful|thank|merci|gracias|excellent|gentil|amable", re.I)
CRITICAL = re.compile(r"breathe|chest pain|unconscious|respirer|respirar", re.I)
PAST = re.compile(r"\b(?:ago|hier|hace)\b|last (?:week|month|year)|yesterday|l'an dernier", re.I)
GENERATE = re.compile(r"^/v1(?:beta)?/models/([^/:]+):generateContent$")
BATCH = re.compile(r"^/v1(?:beta)?/models/([^/:]+):batchGenerateContent$")
BATCH_GET = re.compile(r"^/v1(?:beta)?/(batches/[^/]+)$")


def _item_answer(item: dict[str, Any], behaviour: str) -> dict[str, Any]:
    text = str(item.get("text", ""))
    if behaviour == "obey":
        label, hint = "positive", "low"
    else:
        label = "negative" if NEGATIVE.search(text) else "positive" if POSITIVE.search(text) else "neutral"
        hint = "critical" if CRITICAL.search(text) else "medium" if label == "negative" else "low"
    timing = "past" if PAST.search(text) else "now" if hint == "critical" else "none"
    context = {"timing": timing, "experiencer": "none" if timing == "none" else "patient"}
    if behaviour == "odd_context":
        context = {"timing": "soonish"}
    return {
        "id": item["id"],
        "sentiment_label": label,
        "sentiment_score": {"negative": -0.7, "neutral": 0.0, "positive": 0.8}[label],
        "emotions": [],
        "topics": ["other"],
        "language": item.get("language") or "en",
        "summary": "Patient comments on their care.",
        "urgency_hint": hint,
        "urgency_reasons": [] if hint == "low" else ["keyword"],
        **context,
    }


def prompt_items(request: dict[str, Any]) -> list[dict[str, Any]]:
    text = request["contents"][0]["parts"][0]["text"]
    return json.loads(text.split("\n", 1)[1])


def answer(request: dict[str, Any], behaviour: str) -> dict[str, Any]:
    """A GenerateContentResponse for one generateContent request body."""
    items = prompt_items(request)
    if behaviour == "partial":
        items = items[::2]
    if behaviour == "malformed":
        text = '{"items": [{"id": "1", "sentiment_label": '
    else:
        text = json.dumps({"items": [_item_answer(item, behaviour) for item in items]})
    prompt_tokens = len(json.dumps(request)) // 4
    output_tokens = len(text) // 4
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": prompt_tokens + output_tokens,
        },
        "modelVersion": "fake-gemini",
    }


def error_body(code: int, retry_delay: float | None = None) -> dict[str, Any]:
    status = {400: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}.get(code, "UNKNOWN")
    error: dict[str, Any] = {"code": code, "message": f"fake {code}", "status": status}
    if retry_delay is not None:
        error["details"] = [
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_delay:g}s"}
        ]
    return {"error": error}


@dataclass
class FakeGemini:
    """The fake's knobs and what it saw; change them while it runs."""

    default: str = "ok"
    latency: float = 0.0
    retry_delay: float = 0.05
    storm: float = 0.0  # probability that a request gets 429 or 500
    batch_ready: bool = True
    script: deque[str] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)  # the behaviour of each answer
    arrivals: list[float] = field(default_factory=list)  # time.time() of each request
    batches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    url: str = ""
    _rng: random.Random = field(default_factory=lambda: random.Random(7))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_behaviour(self) -> str:
        with self._lock:
            if self.script:
                return self.script.popleft()
            if self.storm and self._rng.random() < self.storm:
                return self._rng.choice(("429", "500"))
            return self.default

    def record(self, request: dict[str, Any], behaviour: str) -> None:
        with self._lock:
            self.requests.append(request)
            self.responses.append(behaviour)
            self.arrivals.append(time.time())

    def items_sent(self) -> int:
        return sum(len(prompt_items(r)) for r in self.requests)


def _handler(fake: FakeGemini) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if not self.headers.get("x-goog-api-key"):
                self.send_json(401, error_body(401))
            elif GENERATE.match(self.path):
                self._generate(body)
            elif match := BATCH.match(self.path):
                name = f"batches/fake-{len(fake.batches) + 1}"
                fake.batches[name] = body["batch"]["inputConfig"]["requests"]["requests"]
                meta = {
                    "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatch"
                }
                meta |= {"name": name, "model": f"models/{match.group(1)}", "state": "BATCH_STATE_PENDING"}
                self.send_json(200, {"name": name, "metadata": meta})
            else:
                self.send_json(404, error_body(404))

        def _generate(self, body: dict[str, Any]) -> None:
            behaviour = fake.next_behaviour()
            fake.record(body, behaviour)
            if behaviour.isdigit():  # "429", "500", "400", ...
                code = int(behaviour)
                self.send_json(code, error_body(code, fake.retry_delay if code == 429 else None))
            else:
                time.sleep(fake.latency if behaviour != "slow" else fake.latency + 5)
                try:
                    self.send_json(200, answer(body, behaviour))
                except ConnectionError:
                    return  # the client gave up waiting ("slow")

        def do_GET(self) -> None:
            match = BATCH_GET.match(self.path)
            if not match or match.group(1) not in fake.batches:
                self.send_json(404, error_body(404))
                return
            name = match.group(1)
            meta: dict[str, Any] = {"name": name, "state": "BATCH_STATE_RUNNING"}
            if fake.batch_ready:
                inlined = [
                    {"response": answer(entry["request"], "ok"), "metadata": entry.get("metadata", {})}
                    for entry in fake.batches[name]
                ]
                meta |= {
                    "state": "BATCH_STATE_SUCCEEDED",
                    "output": {"inlinedResponses": {"inlinedResponses": inlined}},
                }
            self.send_json(200, {"name": name, "metadata": meta, "done": fake.batch_ready})

    return Handler


@contextmanager
def running_fake(**knobs: Any) -> Iterator[FakeGemini]:
    """Serve a FakeGemini on a free loopback port for the duration of the block."""
    fake = FakeGemini(**knobs)
    with serving(_handler(fake)) as fake.url:
        yield fake


def main() -> None:
    """`python -m tests.fakes.gemini_server [PORT]`: a fake to point GEMINI_BASE_URL at by hand."""
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8089
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(FakeGemini(latency=0.2)))
    print(f"fake Gemini on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
