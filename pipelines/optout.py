"""The opt-out registry: STOP/START/HELP replies by phone number, and the guard every
outbound sender goes through.

Numbers are found by their keyed hash (models.contacts), never stored in clear. The
latest keyword wins: STOP then START allows the number again. A message to an opted-out
number is recorded in `suppressed_messages` instead of being sent.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.channels import OptOut, SuppressedMessage
from models.contacts import Keyring
from models.tables import utcnow
from pipelines.clients.messaging import MessageSuppressed, OutboundMessage, Sender

log = logging.getLogger(__name__)

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


def keyword_of(body: str) -> str | None:
    """The opt-out keyword an SMS body is, if it is exactly one (as carriers match them)."""
    word = body.strip().strip(".!").upper()
    if word in STOP_WORDS or word in START_WORDS or word in HELP_WORDS:
        return word
    return None


class OptOutRegistry:
    def __init__(self, keys: Keyring) -> None:
        self._keys = keys

    def hash(self, phone: str) -> str:
        """The hash new records are stored under (the current key's)."""
        return self._keys.hash("sms", phone)

    def hashes(self, phone: str) -> list[str]:
        """Every hash a record of this number may carry, during a key rotation too."""
        return self._keys.hashes("sms", phone)

    def record(self, session: Session, phone: str, keyword: str) -> None:
        """Apply STOP or START words; HELP changes nothing."""
        if keyword in HELP_WORDS:
            return
        digest = self.hash(phone)
        row = session.get(OptOut, digest)
        if row is None:
            row = OptOut(phone_hash=digest)
            session.add(row)
        row.opted_out = keyword in STOP_WORDS
        row.keyword = keyword
        row.updated_at = utcnow()
        session.flush()

    def is_opted_out(self, session: Session, phone: str) -> bool:
        """The latest keyword wins, whichever key its record was hashed with."""
        return bool(
            session.scalar(
                select(OptOut.opted_out)
                .where(OptOut.phone_hash.in_(self.hashes(phone)))
                .order_by(OptOut.updated_at.desc())
                .limit(1)
            )
        )


class OptOutGuard:
    """Wraps any SMS/email sender: an opted-out phone number gets no message, only a
    `suppressed_messages` row, and the caller hears MessageSuppressed."""

    def __init__(self, inner: Sender, registry: OptOutRegistry) -> None:
        self._inner = inner
        self._registry = registry
        self.name = inner.name

    def send(self, session: Session, message: OutboundMessage) -> str:
        if message.channel == "sms" and self._registry.is_opted_out(session, message.to):
            self._record_suppressed(session, message)
            raise MessageSuppressed(message.dedupe_key)
        return self._inner.send(session, message)

    def find_sent(
        self,
        session: Session,
        message: OutboundMessage,
        since: datetime,
        exclude: frozenset[str] = frozenset(),
    ) -> str | None:
        return self._inner.find_sent(session, message, since, exclude)

    def _record_suppressed(self, session: Session, message: OutboundMessage) -> None:
        known = session.scalar(
            select(SuppressedMessage.id).where(SuppressedMessage.dedupe_key == message.dedupe_key)
        )
        if known is None:
            row = SuppressedMessage(
                dedupe_key=message.dedupe_key,
                channel=message.channel,
                recipient_hash=self._registry.hash(message.to),
                reason="opted_out",
            )
            session.add(row)
            session.flush()
            log.info(
                "outbound %s suppressed: recipient opted out",
                message.channel,
                extra={"suppressed_id": row.id},
            )
