"""Both outbound providers faked at once, with the environment that points CarePulse's
real twilio and sendgrid clients at them (for roles run as processes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.fakes.sendgrid_server import FakeSendGrid, fake_sendgrid
from tests.fakes.twilio_server import FakeTwilio, fake_twilio

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "fake-twilio-token-0123456789abcdef"
SENDGRID_KEY = "SG.fake-key.0123456789"
TWILIO_FROM = "+15559990000"


@dataclass(frozen=True)
class FakeProviders:
    twilio: FakeTwilio
    sendgrid: FakeSendGrid

    def env(self) -> dict[str, str]:
        return {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": TWILIO_FROM,
            "TWILIO_API_BASE_URL": self.twilio.base_url,
            "SENDGRID_API_KEY": SENDGRID_KEY,
            "SENDGRID_API_BASE_URL": self.sendgrid.base_url,
            "SENDGRID_FROM": "carepulse@hospital.example",
        }


@contextmanager
def fake_providers() -> Iterator[FakeProviders]:
    with fake_twilio(ACCOUNT_SID, AUTH_TOKEN) as twilio, fake_sendgrid(SENDGRID_KEY) as sendgrid:
        yield FakeProviders(twilio, sendgrid)
