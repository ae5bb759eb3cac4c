"""A local fake of SendGrid's v3 Mail Send API, speaking its documented wire format so the
real sendgrid SDK can be pointed at it (`SendGridAPIClient(api_key, host=state.base_url)`).

`POST /v3/mail/send` with `Authorization: Bearer <api key>` (else 401) and a v3 JSON body
(personalizations[].to[].email, from.email, subject, content[] of type/value, optional
custom_args and headers) answers 202 with an empty body and an `X-Message-Id` header, and
records the mail; an invalid body gets 400 with SendGrid's `{"errors": [...]}` listing every
problem, as SendGrid does. `fail_next` scripts error answers (500, 429, 400, ...);
`stall_next` keeps the next sends unanswered for a while, then refuses them (504) without
taking the mail: a gateway in front of SendGrid that timed out.

`python -m tests.fakes.sendgrid_server PORT --api-key KEY [--log FILE]` serves it in the
foreground for benchmarks, appending one JSON line per accepted mail.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TextIO

from tests.fakes.loopback import JsonHandler, serve_until_interrupted, serving

MAIL_SEND = "/v3/mail/send"
HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"
UNAUTHORIZED = "The provided authorization grant is invalid, expired, or revoked"
FAULT_MESSAGES = {429: "too many requests"}


def sendgrid_errors(*errors: tuple[str, str | None, str | None]) -> dict[str, Any]:
    """SendGrid's JSON error body from (message, field, help) triples."""
    return {"errors": [{"message": message, "field": name, "help": url} for message, name, url in errors]}


@dataclass(frozen=True)
class SentMail:
    message_id: str
    to: list[str]  # every personalization's recipients, in order
    from_: str
    subject: str | None  # the mail's subject, else the first personalization's
    text: str | None  # the text/plain content block's value
    custom_args: dict[str, str]  # the mail's, overridden by its personalizations'
    headers: dict[str, str]  # likewise
    received_at: float  # time.time(), comparable with the --log lines and other processes
    received_monotonic: float  # time.monotonic(), for latencies measured in the test process


@dataclass
class FakeSendGrid:
    api_key: str
    mails: list[SentMail] = field(default_factory=list)
    base_url: str = ""
    log: TextIO | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _faults: deque[int] = field(default_factory=deque, repr=False)
    _stalls: deque[float] = field(default_factory=deque, repr=False)

    def fail_next(self, status: int, count: int = 1) -> None:
        """Answer the next `count` authorized sends with `status` and SendGrid's error JSON,
        recording no mail."""
        with self._lock:
            self._faults.extend([status] * count)

    def stall_next(self, count: int, seconds: float) -> None:
        """Answer each of the next `count` authorized sends only after `seconds`, with 504,
        recording no mail."""
        with self._lock:
            self._stalls.extend([seconds] * count)

    def _send(self, raw: bytes) -> tuple[int, dict[str, Any] | str]:
        """The status and either the error body or the accepted mail's message id."""
        with self._lock:
            stall = self._stalls.popleft() if self._stalls else None
            fault = self._faults.popleft() if self._faults and stall is None else None
        if stall is not None:
            time.sleep(stall)  # the gateway's wait, as the sender sees it
            return 504, sendgrid_errors(("Gateway Timeout", None, None))
        if fault:
            return fault, sendgrid_errors((FAULT_MESSAGES.get(fault, HTTPStatus(fault).phrase), None, None))
        try:
            mail = json.loads(raw)
        except ValueError:
            mail = None
        if not isinstance(mail, dict):
            return 400, sendgrid_errors(("Bad Request", None, None))
        if errors := _invalid(mail):
            return 400, sendgrid_errors(*errors)
        personalizations = mail["personalizations"]
        accepted = SentMail(
            message_id=secrets.token_urlsafe(16),
            to=[recipient["email"] for each in personalizations for recipient in each["to"]],
            from_=mail["from"]["email"],
            subject=mail.get("subject") or personalizations[0].get("subject"),
            text=next((c["value"] for c in mail.get("content") or [] if c["type"] == "text/plain"), None),
            custom_args=_merged(mail, personalizations, "custom_args"),
            headers=_merged(mail, personalizations, "headers"),
            received_at=time.time(),
            received_monotonic=time.monotonic(),
        )
        with self._lock:
            self.mails.append(accepted)
            self._log(accepted)
        return 202, accepted.message_id

    def _log(self, mail: SentMail) -> None:
        if self.log is None:
            return
        line = {
            "message_id": mail.message_id,
            "to": mail.to,
            "subject": mail.subject,
            "custom_args": mail.custom_args,
            "received_at": mail.received_at,
        }
        self.log.write(json.dumps(line) + "\n")
        self.log.flush()


def _merged(mail: dict[str, Any], personalizations: list[dict[str, Any]], key: str) -> dict[str, str]:
    merged = dict(mail.get(key) or {})
    for each in personalizations:
        merged.update(each.get(key) or {})
    return merged


def _invalid(mail: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """Every problem SendGrid would report for this body (none: it is sendable)."""
    errors: list[tuple[str, str | None, str | None]] = []
    personalizations = mail.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        errors.append(
            (
                "The personalizations field is required and must have at least one personalization.",
                "personalizations",
                f"{HELP}#-Personalizations-Errors",
            )
        )
        personalizations = []
    for index, each in enumerate(personalizations):
        to = each.get("to") if isinstance(each, dict) else None
        if not isinstance(to, list) or not to or not all(isinstance(r, dict) and r.get("email") for r in to):
            errors.append(
                (
                    "The to array is required for all personalization objects, and must have at least one"
                    " email object with a valid email address.",
                    f"personalizations.{index}.to",
                    f"{HELP}#message.personalizations.to",
                )
            )
    sender = mail.get("from")
    if not isinstance(sender, dict) or not sender.get("email"):
        errors.append(
            (
                "The from object must be provided for every email send. It is an object that requires the"
                ' email parameter, but may also contain a name parameter.  e.g. {"email" :'
                ' "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.',
                "from.email",
                f"{HELP}#message.from",
            )
        )
    templated = bool(mail.get("template_id"))
    every_personalization_has_subject = bool(personalizations) and all(
        isinstance(each, dict) and each.get("subject") for each in personalizations
    )
    if not templated and not mail.get("subject") and not every_personalization_has_subject:
        errors.append(
            (
                "The subject is required. You can get around this requirement if you use a template with a"
                " subject defined or if every personalization has a subject defined.",
                "subject",
                f"{HELP}#message.subject",
            )
        )
    content = mail.get("content") or []
    blocks_valid = isinstance(content, list) and all(
        isinstance(c, dict) and c.get("type") and isinstance(c.get("value"), str) and c["value"]
        for c in content
    )
    if not blocks_valid or (not content and not templated):
        errors.append(
            (
                "Unless a valid template_id is provided, the content parameter is required. There must be at"
                " least one defined content block. We typically suggest both text/plain and text/html blocks"
                " are included, but only one block is required.",
                "content",
                f"{HELP}#message.content",
            )
        )
    return errors


def _handler(state: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    expected = f"Bearer {state.api_key}"

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Authorization") != expected:
                self.send_json(401, sendgrid_errors((UNAUTHORIZED, None, None)))
                return
            if self.path != MAIL_SEND:
                self.send_json(404, sendgrid_errors(("Not Found", None, None)))
                return
            status, answer = state._send(raw)
            try:
                self._answer(status, answer)
            except ConnectionError:
                return  # the sender gave up waiting (a stalled send)

        def _answer(self, status: int, answer: dict[str, Any] | str) -> None:
            if isinstance(answer, dict):
                self.send_json(status, answer)
                return
            self.send_response(status)
            self.send_header("X-Message-Id", answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@contextmanager
def fake_sendgrid(api_key: str) -> Iterator[FakeSendGrid]:
    state = FakeSendGrid(api_key)
    with serving(_handler(state)) as state.base_url:
        yield state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve the fake SendGrid API on 127.0.0.1 until interrupted."
    )
    parser.add_argument("port", type=int, help="0 picks a free port")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--log", type=Path, help="append one JSON line per accepted mail")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        log = stack.enter_context(args.log.open("a")) if args.log else None
        state = FakeSendGrid(args.api_key, log=log)
        serve_until_interrupted(_handler(state), args.port, lambda url: setattr(state, "base_url", url))


if __name__ == "__main__":
    main()
