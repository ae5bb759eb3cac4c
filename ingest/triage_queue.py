"""The staff triage queue: GET /v1/triage/queue.

The triage page polls this every two seconds, so it answers the one question staff ask —
what is still open and what comes first — in one query: open items, most urgent level
first (a CASE over the level, the same on SQLite and PostgreSQL), newest first within it.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from ingest.feedback_filters import UNLISTED, URGENCY_LEVELS, parse_limit
from ingest.feedback_list import summary
from ingest.unreadable_rows import readable_page
from models.keys import STAFF_ROLES
from models.tables import Analysis, Feedback, UrgencyDecision
from models.urgency_models import UrgencyLabel

OPEN_STATES = ("new", "acknowledged")
DEFAULT_LIMIT = 100
# Most urgent first; feedback not yet scored (no decision) comes after "low".
LEVEL_RANK = case(
    {level: rank for rank, level in enumerate(URGENCY_LEVELS)},
    value=UrgencyDecision.level,
    else_=len(URGENCY_LEVELS),
)


def queue_query(limit: int) -> Select:
    """Open feedback with its analysis, decision and staff label, in triage order."""
    return (
        select(Feedback, Analysis, UrgencyDecision, UrgencyLabel.label)
        .options(UNLISTED)
        .outerjoin(Analysis, Analysis.feedback_id == Feedback.id)
        .outerjoin(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .outerjoin(UrgencyLabel, UrgencyLabel.feedback_id == Feedback.id)
        .where(Feedback.triage_state.in_(OPEN_STATES))
        .order_by(LEVEL_RANK, Feedback.received_at.desc(), Feedback.id.desc())
        .limit(limit)
    )


def queue_item(
    item: Feedback, analysis: Analysis | None, decision: UrgencyDecision | None, label: str | None
) -> dict[str, Any]:
    """The list summary plus what a triage row shows: the reasons and the staff label."""
    return {
        **summary(item, analysis, decision),
        "urgency_reasons": decision.reasons if decision else [],
        "urgency_label": label,
    }


class TriageQueue:
    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session]) -> None:
        self._auth = auth
        self._sessions = sessions

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, STAFF_ROLES)
        limit = parse_limit(req, DEFAULT_LIMIT)
        with self._sessions() as session:
            items = readable_page(session, queue_query(limit), queue_item, "triage queue")
        resp.media = {"items": items}
        resp.set_header("Cache-Control", "no-store")
