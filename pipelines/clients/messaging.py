"""Outbound SMS and email behind one interface.

The offline face records each message in `sent_messages` (and logs its id, never its
recipient or body), so the whole system runs end to end with no provider keys. Real
Twilio and SendGrid faces implement the same `Sender` protocol.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import SentMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboundMessage:
    channel: str  # "sms" | "email"
    to: str
    body: str
    dedupe_key: str
    subject: str | None = None


class MessageSuppressed(Exception):
    """The recipient opted out: nothing was sent, a suppressed record was kept instead."""


class Sender(Protocol):
    name: str

    def send(self, session: Session, message: OutboundMessage) -> str:
        """Deliver the message and return the provider's message id; raise
        MessageSuppressed when the opt-out registry refuses the recipient."""


class OfflineSender:
    """Records messages instead of sending them; a repeated dedupe key is a no-op."""

    name = "offline"

    def send(self, session: Session, message: OutboundMessage) -> str:
        existing = session.scalar(select(SentMessage.id).where(SentMessage.dedupe_key == message.dedupe_key))
        if existing is None:
            row = SentMessage(
                dedupe_key=message.dedupe_key,
                channel=message.channel,
                recipient=message.to,
                subject=message.subject,
                body=message.body,
            )
            session.add(row)
            session.flush()
            existing = row.id
            log.info("offline %s recorded", message.channel, extra={"sent_message_id": existing})
        return f"offline-{existing}"
