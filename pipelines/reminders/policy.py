"""The rules outreach follows, from settings: the send window, caps, reply expiry, retries,
the provider's name, and the signed one-click unsubscribe links of emails."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from models.contacts import Keyring
from models.settings import Settings
from pipelines.reminders.send_window import SendWindow

# A send is claimed only if the window stays open this much longer: a message never goes
# out after 21:00 because the provider call started at 20:59:59.
SEND_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class ReminderPolicy:
    keys: Keyring
    window: SendWindow
    send_time: str = "10:00"
    provider: str = "CarePulse"
    public_base_url: str = "http://127.0.0.1:8000"
    survey_url: str = "http://127.0.0.1:8000/survey"
    daily_cap: int = 1
    weekly_cap: int = 3
    reply_window: timedelta = timedelta(hours=48)
    max_attempts: int = 5
    max_segments: int = 1
    margin: timedelta = SEND_MARGIN

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        opens, closes = settings.reminder_window
        return cls(
            keys=Keyring.from_settings(settings),
            window=SendWindow(opens, closes),
            send_time=settings.reminder_send_time,
            provider=settings.provider_name,
            public_base_url=settings.public_base_url.rstrip("/"),
            survey_url=settings.survey_url,
            daily_cap=settings.reminder_daily_cap,
            weekly_cap=settings.reminder_weekly_cap,
            reply_window=timedelta(hours=settings.reminder_reply_hours),
            max_attempts=settings.reminder_max_attempts,
            max_segments=settings.sms_max_segments,
        )

    def _signature(self, secret: str, reminder_id: str) -> str:
        key = hmac.new(secret.encode(), b"unsubscribe-link", hashlib.sha256).digest()
        return hmac.new(key, reminder_id.encode(), hashlib.sha256).hexdigest()[:32]

    def unsubscribe_url(self, reminder_id: str) -> str:
        return f"{self.public_base_url}/v1/unsubscribe/{reminder_id}/{self._signature(self.keys.current, reminder_id)}"

    def valid_unsubscribe(self, reminder_id: str, signature: str) -> bool:
        """Links signed with a key being rotated out still work until the rotation ends."""
        return any(
            hmac.compare_digest(self._signature(secret, reminder_id), signature)
            for secret in (self.keys.current, *self.keys.previous)
        )

    def retry_delay(self, attempts: int) -> timedelta:
        """Exponential backoff for transient provider failures: 1, 2, 4, 8 … minutes, at most 2 h."""
        return timedelta(minutes=min(120, 2 ** max(0, attempts - 1)))
