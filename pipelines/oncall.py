"""The on-call roster: who is paged for a department at a given moment, tier by tier.

People are found in the item's department's chain first, then in the tiers above it of
the entries without a department (the hospital-wide chain); with no roster at all, the ONCALL_SMS_TO and
ONCALL_EMAIL_TO contacts are tier 1, so a fresh install still alerts someone. Those
contacts are also the last resort once a chain is exhausted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.contacts import Keyring
from models.oncall import OnCallEntry
from models.settings import CLOCK, Settings
from models.tables import utcnow
from pipelines.windows import ALL_WEEK, in_window

FALLBACK_LABEL = "on-call"


class RosterError(ValueError):
    """A roster entry is malformed; `errors` names each field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Recipient:
    label: str
    channel: str  # "sms" | "email"
    address: str
    tier: int


@dataclass(frozen=True)
class NewEntry:
    name: str
    phone: str | None = None
    email: str | None = None
    department: str | None = None
    tier: int = 1
    weekdays: str = ALL_WEEK
    starts: str = "00:00"
    ends: str = "24:00"
    timezone: str = "UTC"

    def problems(self) -> list[dict[str, str]]:
        errors = []
        if not self.name.strip():
            errors.append({"field": "name", "message": "required"})
        if not (self.phone or self.email):
            errors.append({"field": "phone", "message": "a phone number or an email address is required"})
        if self.phone and not self.phone.strip().startswith("+"):
            errors.append({"field": "phone", "message": "must be in E.164 form, e.g. +15550100"})
        if self.email and "@" not in self.email:
            errors.append({"field": "email", "message": "must be an email address"})
        if not 1 <= self.tier <= 9:
            errors.append({"field": "tier", "message": "must be from 1 to 9"})
        if not self.weekdays or any(day not in ALL_WEEK for day in self.weekdays):
            errors.append({"field": "weekdays", "message": "ISO weekday digits, 1 = Monday, e.g. 12345"})
        for field in ("starts", "ends"):
            if not CLOCK.match(getattr(self, field)):
                errors.append({"field": field, "message": "must be HH:MM (24:00 ends at midnight)"})
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors.append({"field": "timezone", "message": "must be an IANA timezone, e.g. Europe/Paris"})
        return errors


class Roster:
    def __init__(self, keys: Keyring, fallback_sms: str, fallback_email: str) -> None:
        self._keys = keys
        self._cipher = keys.cipher
        self._fallback = (("sms", fallback_sms), ("email", fallback_email))

    @classmethod
    def from_settings(cls, settings: Settings) -> Roster:
        return cls(Keyring.from_settings(settings), settings.oncall_sms_to, settings.oncall_email_to)

    def add(self, session: Session, entry: NewEntry) -> OnCallEntry:
        errors = entry.problems()
        if errors:
            raise RosterError(errors)
        row = OnCallEntry(
            name=entry.name.strip(),
            department=entry.department or None,
            tier=entry.tier,
            weekdays="".join(sorted(set(entry.weekdays))),
            starts=entry.starts,
            ends=entry.ends,
            timezone=entry.timezone,
            phone_hash=self._keys.hash("sms", entry.phone) if entry.phone else None,
            phone_encrypted=self._cipher.encrypt(entry.phone.strip()) if entry.phone else None,
            email_encrypted=self._cipher.encrypt(entry.email.strip()) if entry.email else None,
        )
        session.add(row)
        session.flush()
        return row

    def remove(self, session: Session, entry_id: int) -> bool:
        row = session.get(OnCallEntry, entry_id)
        if row is None or row.removed_at is not None:
            return False
        row.removed_at = utcnow()
        return True

    def entries(self, session: Session) -> list[OnCallEntry]:
        return list(
            session.scalars(
                select(OnCallEntry)
                .where(OnCallEntry.removed_at.is_(None))
                .order_by(OnCallEntry.department, OnCallEntry.tier, OnCallEntry.id)
            )
        )

    def _active(self, session: Session, now: datetime) -> list[OnCallEntry]:
        """Every entry on shift now, whatever its department."""
        return [
            entry
            for entry in self.entries(session)
            if in_window(now, entry.starts, entry.ends, entry.timezone, entry.weekdays)
        ]

    @staticmethod
    def _own_and_shared(
        active: list[OnCallEntry], department: str | None
    ) -> tuple[list[OnCallEntry], list[OnCallEntry]]:
        """Of the entries on shift: the department's own, and the hospital-wide ones."""
        own = [entry for entry in active if department and entry.department == department]
        return own, [entry for entry in active if entry.department is None]

    def first_tiers(
        self, session: Session, departments: set[str | None], now: datetime
    ) -> dict[str | None, list[Recipient]]:
        """Who is paged at once in each department, from one read of the roster: the
        lowest tier on call now (the department's own chain before the hospital-wide one),
        or the fallback contacts."""
        active = self._active(session, now)
        tiers = {}
        for department in departments:
            own, shared = self._own_and_shared(active, department)
            on_call = own or shared
            tiers[department] = (
                self._recipients(on_call, min(entry.tier for entry in on_call))
                if on_call
                else self.fallback(1)
            )
        return tiers

    def next_tier(
        self, session: Session, department: str | None, after: int, now: datetime
    ) -> list[Recipient]:
        """The next tier above `after` on call now, the department's chain first and then
        the hospital-wide one; empty when the chain is exhausted."""
        own, shared = self._own_and_shared(self._active(session, now), department)
        higher = [e for e in own if e.tier > after] or [e for e in shared if e.tier > after]
        if not higher:
            return []
        return self._recipients(higher, min(entry.tier for entry in higher))

    def fallback(self, tier: int) -> list[Recipient]:
        return [Recipient(FALLBACK_LABEL, channel, address, tier) for channel, address in self._fallback]

    def _recipients(self, entries: list[OnCallEntry], tier: int) -> list[Recipient]:
        recipients = []
        for entry in entries:
            if entry.tier != tier:
                continue
            if entry.phone_encrypted:
                recipients.append(
                    Recipient(entry.name, "sms", self._cipher.decrypt(entry.phone_encrypted), tier)
                )
            if entry.email_encrypted:
                recipients.append(
                    Recipient(entry.name, "email", self._cipher.decrypt(entry.email_encrypted), tier)
                )
        return recipients

    def view(self, entry: OnCallEntry) -> dict[str, object]:
        """An entry as admins see it: contact details masked to their last characters."""
        phone = self._cipher.decrypt(entry.phone_encrypted) if entry.phone_encrypted else None
        email = self._cipher.decrypt(entry.email_encrypted) if entry.email_encrypted else None
        return {
            "id": entry.id,
            "name": entry.name,
            "department": entry.department,
            "tier": entry.tier,
            "weekdays": entry.weekdays,
            "starts": entry.starts,
            "ends": entry.ends,
            "timezone": entry.timezone,
            "phone": f"…{phone[-4:]}" if phone else None,
            "email": f"…@{email.split('@', 1)[1]}" if email else None,
        }
