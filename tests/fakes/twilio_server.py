"""A local fake of Twilio's REST API for recordings, speaking its documented wire format.

`GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.wav` returns the
recording's audio (`audio/x-wav`) to a caller with HTTP Basic auth (account sid and auth
token), 401 without it, and 404 with Twilio's JSON error body for an unknown recording.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.fakes.loopback import JsonHandler, serving

RECORDING = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})\.wav$")


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    recordings: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base_url: str = ""


def _handler(state: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{state.account_sid}:{state.auth_token}".encode()).decode()

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if self.headers.get("Authorization") != expected:
                self.send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return
            match = RECORDING.match(self.path)
            audio = (
                state.recordings.get(match.group(2))
                if match and match.group(1) == state.account_sid
                else None
            )
            if audio is None:
                self.send_json(
                    404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "audio/x-wav")
            self.send_header("Content-Length", str(len(audio)))
            self.end_headers()
            self.wfile.write(audio)

    return Handler


@contextmanager
def fake_twilio(account_sid: str, auth_token: str) -> Iterator[FakeTwilio]:
    state = FakeTwilio(account_sid, auth_token)
    with serving(_handler(state)) as state.base_url:
        yield state
