"""A local fake of Twilio's REST API (Recordings and Messages), speaking its documented wire
format so the real twilio SDK can be pointed at it (`client.api.base_url = state.base_url`).

Every request needs HTTP Basic auth (account sid and auth token), else 401 with Twilio's
JSON error body.

- `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.wav` returns the
  recording's audio (`audio/x-wav`), 404 with Twilio's JSON error for an unknown one.
- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded `To`, `Body`, and
  `From` or `MessagingServiceSid`, optional `StatusCallback`) records the message and
  answers 201 with its Message resource; 400 with Twilio's error code for a missing field.
- `GET /2010-04-01/Accounts/{AccountSid}/Messages.json` (optional `To`, `From`, `PageSize`,
  `Page`) lists the created messages newest first, in Twilio's page format.

Tests script what a real Twilio does on a bad day: `fail_next` answers the next creations
with an error, `hold_creates` keeps a recorded creation unanswered (to kill a sender while
Twilio holds its request), `delay_next` answers the next recorded creations only after a
delay (past the sender's timeout: the message exists but the sender never hears so), and
`create_started` / `wait_for_creates` tell when one arrived.

`python -m tests.fakes.twilio_server PORT --account-sid AC... --auth-token TOKEN [--log FILE]`
serves it in the foreground for benchmarks, appending one JSON line per created message.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.loopback import JsonHandler, serve_until_interrupted, serving

API_VERSION = "2010-04-01"
RECORDING = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})\.wav$")
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json$")
HOLD_TIMEOUT_SECONDS = 30.0
DEFAULT_PAGE_SIZE = 50

ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
}
# The Twilio code `fail_next` answers with when the test names only an HTTP status.
DEFAULT_CODES = {400: 21211, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}


def twilio_error(status: int, code: int) -> dict[str, Any]:
    """Twilio's JSON error body, which the SDK turns into a TwilioRestException."""
    return {
        "code": code,
        "message": ERROR_MESSAGES.get(code, HTTPStatus(status).phrase),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass(frozen=True)
class SentMessage:
    sid: str
    to: str
    from_: str | None
    body: str
    messaging_service_sid: str | None
    status_callback: str | None
    received_at: float  # time.time(), comparable with the --log lines and other processes
    received_monotonic: float  # time.monotonic(), for latencies measured in the test process


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    recordings: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    messages: list[SentMessage] = field(default_factory=list)
    base_url: str = ""
    # Set once the first message creation has been handled (recorded, when it succeeds).
    create_started: threading.Event = field(default_factory=threading.Event)
    log: TextIO | None = None
    _lock: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _faults: deque[tuple[int, int]] = field(default_factory=deque, repr=False)
    _delays: deque[float] = field(default_factory=deque, repr=False)
    _release: threading.Event | None = field(default=None, repr=False)
    _creates: int = field(default=0, repr=False)

    def fail_next(self, status: int, count: int = 1, code: int | None = None) -> None:
        """Answer the next `count` message creations with `status` and Twilio's error JSON
        (`code`, by default the usual one for that status), recording no message."""
        with self._lock:
            code = DEFAULT_CODES.get(status, 20000 + status) if code is None else code
            self._faults.extend([(status, code)] * count)

    def delay_next(self, count: int, seconds: float) -> None:
        """Record each of the next `count` message creations, then answer it `seconds` later."""
        with self._lock:
            self._delays.extend([seconds] * count)

    def hold_creates(self, release: threading.Event) -> None:
        """From now on, record each created message, then keep its answer until `release` is
        set (or HOLD_TIMEOUT_SECONDS have passed)."""
        with self._lock:
            self._release = release

    def wait_for_creates(self, count: int, timeout: float = 10.0) -> bool:
        """Whether `count` message creations have been handled within `timeout` seconds."""
        with self._lock:
            return self._lock.wait_for(lambda: self._creates >= count, timeout)

    def _request(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def _create(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            release, delay = None, 0.0
            if fault:
                answer = fault[0], twilio_error(*fault)
            elif missing := _missing_field(form):
                answer = 400, twilio_error(400, missing)
            else:
                message = SentMessage(
                    sid="SM" + secrets.token_hex(16),
                    to=form["To"],
                    from_=form.get("From"),
                    body=form["Body"],
                    messaging_service_sid=form.get("MessagingServiceSid"),
                    status_callback=form.get("StatusCallback"),
                    received_at=time.time(),
                    received_monotonic=time.monotonic(),
                )
                self.messages.append(message)
                self._log(message)
                answer, release = (201, self._resource(message)), self._release
                delay = self._delays.popleft() if self._delays else 0.0
            self._creates += 1
            self._lock.notify_all()
        self.create_started.set()
        if release is not None:
            release.wait(HOLD_TIMEOUT_SECONDS)
        time.sleep(delay)  # Twilio's slowness, as the sender sees it
        return answer

    def _log(self, message: SentMessage) -> None:
        if self.log is None:
            return
        line = {
            "sid": message.sid,
            "to": message.to,
            "body": message.body,
            "received_at": message.received_at,
        }
        self.log.write(json.dumps(line) + "\n")
        self.log.flush()

    def _resource(self, message: SentMessage) -> dict[str, Any]:
        created = format_datetime(datetime.fromtimestamp(int(message.received_at), UTC))
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": message.body,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": message.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            # Twilio accepts a Messaging Service send first and picks the sender later.
            "status": "accepted" if message.messaging_service_sid else "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": message.to,
            "uri": f"{uri}.json",
        }

    def _page(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        filters = {name: query[name] for name in ("To", "From") if name in query}
        page_size = int(query.get("PageSize", DEFAULT_PAGE_SIZE))
        page = int(query.get("Page", 0))
        with self._lock:
            matching = [
                message
                for message in reversed(self.messages)
                if filters.get("To", message.to) == message.to
                and filters.get("From", message.from_) == message.from_
            ]
        start = page * page_size
        records = matching[start : start + page_size]

        def page_uri(number: int) -> str:
            return f"{path}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

        return {
            "messages": [self._resource(message) for message in records],
            "end": start + len(records) - 1 if records else start,
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if start + page_size < len(matching) else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
            "start": start,
            "uri": page_uri(page),
        }


def _missing_field(form: dict[str, str]) -> int | None:
    """Twilio's error code for the first required parameter the form lacks."""
    if not form.get("To"):
        return 21604
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return 21603
    if not form.get("Body"):
        return 21602
    return None


def _handler(state: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{state.account_sid}:{state.auth_token}".encode()).decode()

    class Handler(JsonHandler):
        def authorized(self) -> bool:
            state._request(self.path)
            if self.headers.get("Authorization") == expected:
                return True
            self.send_json(401, twilio_error(401, 20003))
            return False

        def do_GET(self) -> None:
            if not self.authorized():
                return
            url = urlsplit(self.path)
            messages = MESSAGES.match(url.path)
            if messages and messages.group(1) == state.account_sid:
                query = {name: values[0] for name, values in parse_qs(url.query).items()}
                self.send_json(200, state._page(url.path, query))
                return
            match = RECORDING.match(url.path)
            audio = (
                state.recordings.get(match.group(2))
                if match and match.group(1) == state.account_sid
                else None
            )
            if audio is None:
                self.send_json(404, twilio_error(404, 20404))
                return
            self.send_response(200)
            self.send_header("Content-Type", "audio/x-wav")
            self.send_header("Content-Length", str(len(audio)))
            self.end_headers()
            self.wfile.write(audio)

        def do_POST(self) -> None:
            if not self.authorized():
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            match = MESSAGES.match(self.path)
            if not match or match.group(1) != state.account_sid:
                self.send_json(404, twilio_error(404, 20404))
                return
            status, body = state._create({name: values[0] for name, values in parse_qs(raw).items()})
            try:
                self.send_json(status, body)
            except ConnectionError:
                return  # the sender was killed while its request was held

    return Handler


@contextmanager
def fake_twilio(account_sid: str, auth_token: str) -> Iterator[FakeTwilio]:
    state = FakeTwilio(account_sid, auth_token)
    with serving(_handler(state)) as state.base_url:
        yield state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the fake Twilio API on 127.0.0.1 until interrupted.")
    parser.add_argument("port", type=int, help="0 picks a free port")
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--log", type=Path, help="append one JSON line per created message")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        log = stack.enter_context(args.log.open("a")) if args.log else None
        state = FakeTwilio(args.account_sid, args.auth_token, log=log)
        serve_until_interrupted(_handler(state), args.port, lambda url: setattr(state, "base_url", url))


if __name__ == "__main__":
    main()
