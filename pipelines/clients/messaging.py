"""Outbound SMS and email behind one interface.

The offline face records each message in `sent_messages` (its recipient only as a keyed
hash; it logs the row's id, never the recipient or body), so the whole system runs end to end with no provider keys. The real
Twilio and SendGrid faces (`twilio_sms`, `sendgrid_email`) implement the same `Sender`
protocol; `ChannelSender` sends each message through the face for its channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.contacts import Keyring
from models.tables import SentMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboundMessage:
    channel: str  # "sms" | "email"
    to: str
    body: str
    dedupe_key: str
    subject: str | None = None
    status_callback: str | None = None  # SMS: where Twilio posts delivery status
    unsubscribe_url: str | None = None  # email: the RFC 8058 one-click unsubscribe link


class MessageSuppressed(Exception):
    """The recipient opted out: nothing was sent, a suppressed record was kept instead."""


class DeliveryRetryable(ConnectionError):
    """The provider is briefly unable (5xx, 429, timeout, unreachable): try again later.
    A ConnectionError, so the tasks' transient-error retry with backoff applies."""


class DeliveryUncertain(DeliveryRetryable):
    """The request reached the provider but no answer came back (a read timeout, a dropped
    connection): the message may have been sent. Ask the provider (`find_sent`) before
    sending again."""


class DeliveryRejected(Exception):
    """The provider refused this message for good (invalid number, bad address): retrying
    would fail the same way. The message says the provider's error code, never the address."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class Sender(Protocol):
    name: str

    def send(self, session: Session, message: OutboundMessage) -> str:
        """Deliver the message and return the provider's message id; raise
        MessageSuppressed when the opt-out registry refuses the recipient,
        DeliveryRetryable or DeliveryRejected when the provider fails."""

    def find_sent(
        self,
        session: Session,
        message: OutboundMessage,
        since: datetime,
        exclude: frozenset[str] = frozenset(),
    ) -> str | None:
        """The provider id of this message if an earlier attempt (since `since`) already
        delivered it, so a worker killed between sending and recording does not send twice.
        Ids in `exclude` belong to other records (two patients sharing a phone get the same
        text). None when the provider cannot tell."""


class OfflineSender:
    """Records messages instead of sending them; a repeated dedupe key is a no-op."""

    name = "offline"

    def __init__(self, keys: Keyring) -> None:
        self._keys = keys

    def send(self, session: Session, message: OutboundMessage) -> str:
        existing = session.scalar(select(SentMessage.id).where(SentMessage.dedupe_key == message.dedupe_key))
        if existing is None:
            row = SentMessage(
                dedupe_key=message.dedupe_key,
                channel=message.channel,
                recipient_hash=self._keys.hash(message.channel, message.to),
                subject=message.subject,
                body=message.body,
            )
            session.add(row)
            session.flush()
            existing = row.id
            log.info("offline %s recorded", message.channel, extra={"sent_message_id": existing})
        return f"offline-{existing}"

    def find_sent(
        self,
        session: Session,
        message: OutboundMessage,
        since: datetime,
        exclude: frozenset[str] = frozenset(),
    ) -> str | None:
        existing = session.scalar(select(SentMessage.id).where(SentMessage.dedupe_key == message.dedupe_key))
        return None if existing is None else f"offline-{existing}"


class ChannelSender:
    """Sends SMS through one face and email through another (each real or offline)."""

    def __init__(self, sms: Sender, email: Sender) -> None:
        self._faces = {"sms": sms, "email": email}
        self.name = f"{sms.name}+{email.name}"

    def send(self, session: Session, message: OutboundMessage) -> str:
        return self._faces[message.channel].send(session, message)

    def find_sent(
        self,
        session: Session,
        message: OutboundMessage,
        since: datetime,
        exclude: frozenset[str] = frozenset(),
    ) -> str | None:
        return self._faces[message.channel].find_sent(session, message, since, exclude)
