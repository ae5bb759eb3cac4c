"""Who may not be messaged: a patient whose consent is revoked, an address a provider
refused for good, a phone number that replied STOP. Read in bulk, once per planning run
or per dispatched chunk."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.channels import OptOut
from models.reminders import Consent, SuppressedContact


@dataclass(frozen=True)
class Screen:
    revoked: frozenset[str]
    suppressed: frozenset[str]
    opted_out: frozenset[str]

    @classmethod
    def load(
        cls,
        session: Session,
        patient_refs: Collection[str] | None = None,
        contact_hashes: Collection[str] | None = None,
    ) -> Screen:
        """The whole registry (None), or only what concerns these patients and addresses."""
        revoked = select(Consent.patient_ref).where(Consent.state == "revoked")
        suppressed = select(SuppressedContact.contact_hash)
        opted_out = select(OptOut.phone_hash).where(OptOut.opted_out.is_(True))
        if patient_refs is not None:
            revoked = revoked.where(Consent.patient_ref.in_(list(patient_refs)))
        if contact_hashes is not None:
            suppressed = suppressed.where(SuppressedContact.contact_hash.in_(list(contact_hashes)))
            opted_out = opted_out.where(OptOut.phone_hash.in_(list(contact_hashes)))
        return cls(
            frozenset(session.scalars(revoked)),
            frozenset(session.scalars(suppressed)),
            frozenset(session.scalars(opted_out)),
        )

    def refusal(self, patient_ref: str, channel: str, contact_hash: str) -> str | None:
        """Why this message may not go out, or None."""
        if patient_ref in self.revoked:
            return "consent revoked"
        if contact_hash in self.suppressed:
            return "contact suppressed"
        if channel == "sms" and contact_hash in self.opted_out:
            return "opted out"
        return None
