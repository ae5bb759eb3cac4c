"""Staff views read around a row they cannot read or render, never answering 500 for it.

A row stored before its fields were checked at the edge (a year-10000 timestamp, which
psycopg refuses to load and SQLite's parser too) would otherwise fail the whole page: the
triage queue blind for everyone. A page is read in one query as always; only when that
fails are its rows read one by one, and those that still fail are skipped, logged by id
and counted in `carepulse_unreadable_rows_total{view}`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from prometheus_client import Counter
from sqlalchemy import Select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from models.tables import Feedback

log = logging.getLogger(__name__)

# What reading or rendering a malformed stored value raises: the driver's refusal, or the
# overflow of a date that cannot be shifted or printed.
UNREADABLE = (DataError, ValueError, OverflowError)
UNREADABLE_ROWS = Counter(
    "carepulse_unreadable_rows_total",
    "Stored rows a staff view skipped because it could not read them",
    ["view"],
)

Render = Callable[..., Any]


def readable_page(session: Session, query: Select, render: Render, view: str) -> list[Any]:
    """The rows of `query` (which selects Feedback first) rendered, but those that cannot be."""
    try:
        rows = session.execute(query).all()
    except UNREADABLE:
        rows = _one_by_one(session, query, session.scalars(query.with_only_columns(Feedback.id)).all(), view)
    return _rendered(rows, render, view)


def readable_stream(session: Session, query: Select, render: Render, view: str, chunk: int) -> Iterator[Any]:
    """Every rendered row of `query`, read `chunk` rows at a time by id; a chunk that fails
    is read again row by row, and what still fails is skipped and counted."""
    ids = session.scalars(query.with_only_columns(Feedback.id).execution_options(yield_per=chunk))
    for part in _chunks(ids, chunk):
        try:
            rows = session.execute(query.where(Feedback.id.in_(part))).all()
        except UNREADABLE:
            rows = _one_by_one(session, query, part, view)
        yield from _rendered(rows, render, view)


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while part := list(islice(iterator, size)):
        yield part


def _one_by_one(session: Session, query: Select, ids: list[str], view: str) -> list[Any]:
    """The rows that can be read, each on its own."""
    rows = []
    for feedback_id in ids:
        try:
            rows.append(session.execute(query.where(Feedback.id == feedback_id)).one())
        except UNREADABLE:
            skipped(view, feedback_id)
    return rows


def _rendered(rows: list[Any], render: Render, view: str) -> list[Any]:
    rendered = []
    for row in rows:
        try:
            rendered.append(render(*row))
        except UNREADABLE:
            skipped(view, row[0].id)
    return rendered


def skipped(view: str, feedback_id: str) -> None:
    """Count and log (by id only) a row or value a view could not read."""
    UNREADABLE_ROWS.labels(view).inc()
    log.warning("%s skipped feedback %s: a stored value cannot be read", view, feedback_id)
