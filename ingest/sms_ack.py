"""`ACK <code>` replies to an alert SMS: the paged person takes the item from their phone.

Only a phone that was paged for that item can acknowledge it. The acknowledgement goes
through the same triage change as the API and the page, so it is audited and stops the
escalation.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from ingest.triage import TriageIn, apply_triage
from models.db import session_scope
from models.tables import Feedback
from pipelines.escalation import case_for_sms_ack

ACK_REPLY = re.compile(r"^\s*ACK\s+([A-Za-z0-9]{4,8})\s*[.!]?\s*$", re.IGNORECASE)
UNKNOWN = "CarePulse: that code does not match a page sent to this phone."
ALREADY = "CarePulse: this item was already acknowledged. Thank you."
TAKEN = "CarePulse: acknowledged, it is yours. Escalation stopped."


def ack_reply(sessions: sessionmaker[Session], phone_hashes: list[str], body: str) -> str | None:
    """The SMS answer to an ACK reply, or None when the body is not one."""
    match = ACK_REPLY.match(body)
    if match is None:
        return None
    with session_scope(sessions) as session:
        found = case_for_sms_ack(session, match.group(1), phone_hashes)
        if found is None:
            return UNKNOWN
        case, name = found
        item = session.get(Feedback, case.feedback_id)
        if item.acknowledged_at is not None:
            return ALREADY
        actor = f"sms: {name}"
        change = TriageIn(triage_state="acknowledged", note="acknowledged by SMS reply")
        apply_triage(session, item.id, change, actor)
        case.next_at = None
    return TAKEN
