"""Retention: after RETENTION_DAYS, patient feedback loses its raw audio and every free text,
and contact details captured with it are dropped; every aggregate stays, so analytics,
triage history and the training labels' levels read the same before and after.

What happens to each table (models/*.py), for feedback received before the cutoff:

- `feedback`: `text` (the patient's words, and a transcript joined to them), `patient_ref`
  (who wrote it) and `request_hash` (a fingerprint of the body, enough to confirm a guessed
  text) are cleared and `purged_at` set. Kept: channel, rating, emoji, language,
  department, times, status, failure reason (a task and an error class), triage state.
- `audio_clips`: the audio bytes, the transcript and Twilio's `recording_sid` are cleared
  (the sid would let a re-run download the audio again; Twilio keeps its own copy until it
  is deleted there). Kept: duration, confidence, transcriber, needs-listening, error.
- `analyses`: `summary` is cleared (the LLM's summary may quote the patient). Kept:
  sentiment, emotions, topics, language, urgency hint, analyzer.
- `survey_responses`: the value of every `text` answer is cleared. Kept: NPS, Likert mean,
  the questions and the other answers (numbers and fixed choices).
- `audit_log`: the `note` of entries about the item is removed. Notes are staff-written
  but often quote the patient; who did what and when, the triage state and the urgency
  label stay.
- `llm_pending`, `llm_fallbacks`: the item's rows are deleted (with no text there is
  nothing left to analyze, and re-analysis would overwrite the kept labels).
- Kept whole: `urgency_decisions` (reasons name rules, never words), `alerts`,
  `escalations`, `alert_digests` (staff addresses, no patient text), `urgency_labels`
  (training skips items whose text is gone), `batch_items`, `outbox`, `dead_letters` (ids).

By age alone (created before the cutoff), whatever feedback they belong to:

- `sent_messages` (what the offline sender "sent"): the body is blanked (the recipient is
  only ever stored as its keyed hash).
- `inbound_messages`: the encrypted phone number is cleared; its keyed hash stays, so a
  repeated webhook is still recognised.
- `llm_cache`: entries are deleted (a cached result may hold a summary; it is only a cache).

Not touched: `opt_outs`, `suppressed_messages`, `suppressed_contacts` and `consents` (a
STOP must be honoured forever, and they hold hashes only), appointments and reminders
(the scheduling system's data, refreshed by its imports), the on-call roster, keys,
templates, delivery events, LLM usage and budget, model versions and training runs.

Work goes in chunks of `batch_size` rows, one transaction each, so a first run over years
of feedback never holds one huge transaction; committed chunks stay done if a run stops,
and a second run finds nothing left to purge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.channels import AudioClip, InboundMessage, SurveyResponse
from models.db import session_scope
from models.llm import LlmCacheEntry, LlmFallback, LlmPending
from models.tables import Analysis, AuditEntry, Feedback, SentMessage

DEFAULT_BATCH = 500


@dataclass
class PurgeReport:
    """Rows whose free text or contact detail a run removed (or, dry, would remove)."""

    feedback: int = 0
    audio_clips: int = 0
    survey_responses: int = 0
    notes: int = 0
    sent_messages: int = 0
    inbound_numbers: int = 0
    cache_entries: int = 0
    more: bool = False  # the time budget ran out first: run again to finish

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "more"}


def cutoff(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def _feedback_due(before: datetime) -> ColumnElement[bool]:
    return and_(Feedback.received_at < before, Feedback.purged_at.is_(None))


def _sent_due(before: datetime) -> ColumnElement[bool]:
    return and_(SentMessage.created_at < before, SentMessage.body != "")


def _inbound_due(before: datetime) -> ColumnElement[bool]:
    return and_(InboundMessage.created_at < before, InboundMessage.phone_encrypted.is_not(None))


def _without_text_answers(answers: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    cleared = [
        {**answer, "value": None}
        if answer.get("type") == "text" and answer.get("value") is not None
        else answer
        for answer in answers or []
    ]
    return cleared, cleared != (answers or [])


def _purge_feedback(session: Session, ids: list[str], *, now: datetime, report: PurgeReport) -> None:
    session.execute(
        update(Feedback)
        .where(Feedback.id.in_(ids))
        .values(text=None, patient_ref=None, request_hash=None, purged_at=now)
    )
    report.feedback += len(ids)
    report.audio_clips += session.execute(
        update(AudioClip)
        .where(AudioClip.feedback_id.in_(ids))
        .values(data=None, transcript=None, recording_sid=None)
    ).rowcount
    session.execute(update(Analysis).where(Analysis.feedback_id.in_(ids)).values(summary=None))
    for response in session.scalars(select(SurveyResponse).where(SurveyResponse.feedback_id.in_(ids))):
        response.answers, changed = _without_text_answers(response.answers)
        report.survey_responses += changed
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.target.in_(ids))):
        if "note" in (entry.details or {}):
            entry.details = {key: value for key, value in entry.details.items() if key != "note"}
            report.notes += 1
    session.execute(delete(LlmPending).where(LlmPending.feedback_id.in_(ids)))
    session.execute(delete(LlmFallback).where(LlmFallback.feedback_id.in_(ids)))


def _blank_sent(session: Session, ids: list[int], report: PurgeReport) -> None:
    session.execute(update(SentMessage).where(SentMessage.id.in_(ids)).values(body=""))
    report.sent_messages += len(ids)


def _drop_numbers(session: Session, ids: list[int], report: PurgeReport) -> None:
    session.execute(update(InboundMessage).where(InboundMessage.id.in_(ids)).values(phone_encrypted=None))
    report.inbound_numbers += len(ids)


def _drop_cache(session: Session, keys: list[str], report: PurgeReport) -> None:
    session.execute(delete(LlmCacheEntry).where(LlmCacheEntry.key.in_(keys)))
    report.cache_entries += len(keys)


def _picker(key: Any, due: ColumnElement[bool], limit: int, *order: Any) -> Callable[[Session], list[Any]]:
    """The next chunk's keys. SKIP LOCKED: a second run at the same time takes other rows."""
    query = select(key).where(due).order_by(*order).limit(limit).with_for_update(skip_locked=True)
    return lambda session: list(session.scalars(query))


def _in_chunks(
    sessions: sessionmaker[Session],
    pick: Callable[[Session], list[Any]],
    apply: Callable[[Session, list[Any]], None],
    out_of_time: Callable[[], bool],
) -> bool:
    """Apply the purge chunk by chunk, one transaction each, until nothing is left (True)
    or the time is up (False)."""
    while not out_of_time():
        with session_scope(sessions) as session:
            keys = pick(session)
            if not keys:
                return True
            apply(session, keys)
    return False


def purge(
    sessions: sessionmaker[Session],
    now: datetime,
    days: int,
    batch_size: int = DEFAULT_BATCH,
    budget_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> PurgeReport:
    """Purge what is older than `days` (0 keeps everything forever), within `budget_seconds`
    if given; `more` says it stopped there and another run will carry on."""
    report = PurgeReport()
    if days <= 0:
        return report
    before = cutoff(now, days)
    deadline = None if budget_seconds is None else clock() + budget_seconds
    steps = (
        (
            _picker(Feedback.id, _feedback_due(before), batch_size, Feedback.received_at, Feedback.id),
            partial(_purge_feedback, now=now, report=report),
        ),
        (
            _picker(SentMessage.id, _sent_due(before), batch_size, SentMessage.id),
            partial(_blank_sent, report=report),
        ),
        (
            _picker(InboundMessage.id, _inbound_due(before), batch_size, InboundMessage.id),
            partial(_drop_numbers, report=report),
        ),
        (
            _picker(LlmCacheEntry.key, LlmCacheEntry.created_at < before, batch_size, LlmCacheEntry.key),
            partial(_drop_cache, report=report),
        ),
    )
    for pick, apply in steps:
        if not _in_chunks(sessions, pick, apply, lambda: deadline is not None and clock() >= deadline):
            report.more = True
            break
    return report


def due_for_purge(session: Session, now: datetime, days: int) -> PurgeReport:
    """What `purge` would remove now, without changing anything (`carepulse purge --dry-run`)."""
    if days <= 0:
        return PurgeReport()
    before = cutoff(now, days)
    due_ids = select(Feedback.id).where(_feedback_due(before))

    def count(query: Any) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    surveys = session.scalars(select(SurveyResponse.answers).where(SurveyResponse.feedback_id.in_(due_ids)))
    notes = session.scalars(select(AuditEntry.details).where(AuditEntry.target.in_(due_ids)))
    return PurgeReport(
        feedback=count(due_ids),
        audio_clips=count(select(AudioClip.id).where(AudioClip.feedback_id.in_(due_ids))),
        survey_responses=sum(_without_text_answers(answers)[1] for answers in surveys),
        notes=sum("note" in (details or {}) for details in notes),
        sent_messages=count(select(SentMessage.id).where(_sent_due(before))),
        inbound_numbers=count(select(InboundMessage.id).where(_inbound_due(before))),
        cache_entries=count(select(LlmCacheEntry.key).where(LlmCacheEntry.created_at < before)),
    )
