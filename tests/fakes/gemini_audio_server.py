"""A local fake of Gemini's `generateContent` for audio, speaking the REST wire format.

It checks that the request carries inline audio (`inlineData` with an audio MIME type)
and answers `default`, the JSON transcript the response schema asks for; `status`
makes it fail with that HTTP code.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.loopback import JsonHandler, serving

GENERATE = re.compile(r"^/v1(?:beta)?/models/([^/:]+):generateContent$")


@dataclass
class FakeGeminiAudio:
    default: dict[str, Any] = field(
        default_factory=lambda: {"transcript": "", "language": "en", "confidence": 0.0}
    )
    status: int = 200
    audio_seen: list[bytes] = field(default_factory=list)
    base_url: str = ""


def _handler(state: FakeGeminiAudio) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if not GENERATE.match(self.path.split("?")[0]) or not self.headers.get("x-goog-api-key"):
                self.send_json(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})
                return
            if state.status != 200:
                self.send_json(
                    state.status,
                    {"error": {"code": state.status, "message": "fake", "status": "UNAVAILABLE"}},
                )
                return
            parts = [part for content in body.get("contents", []) for part in content.get("parts", [])]
            # The REST API accepts camelCase and snake_case field names; the SDK mixes them.
            inline = [part.get("inlineData") or part.get("inline_data") or {} for part in parts]
            audio = [
                data
                for data in inline
                if (data.get("mimeType") or data.get("mime_type", "")).startswith("audio/")
            ]
            if not audio:
                self.send_json(
                    400, {"error": {"code": 400, "message": "no audio", "status": "INVALID_ARGUMENT"}}
                )
                return
            state.audio_seen.append(base64.b64decode(audio[0]["data"]))
            text = json.dumps(state.default)
            self.send_json(
                200,
                {
                    "candidates": [
                        {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
                    ],
                    "usageMetadata": {
                        "promptTokenCount": 100,
                        "candidatesTokenCount": 20,
                        "totalTokenCount": 120,
                    },
                },
            )

    return Handler


@contextmanager
def fake_gemini_audio() -> Iterator[FakeGeminiAudio]:
    state = FakeGeminiAudio()
    with serving(_handler(state)) as state.base_url:
        yield state
