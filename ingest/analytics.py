"""Staff analytics: GET /v1/analytics/summary and GET /v1/analytics/trends.

Honest numbers: every share comes with its count and a 95% Wilson interval, and below
the minimum sample size (ANALYTICS_MIN_SAMPLE, 30 by default) shares and means are
withheld, never shown as a bare percentage.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import falcon
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from ingest.errors import FieldErrors
from models.keys import STAFF_ROLES
from models.tables import Analysis, Feedback, UrgencyDecision

Z95 = 1.959964
DEFAULT_WINDOW = timedelta(days=30)
MAX_TREND_DAYS = 366


def wilson_interval(count: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion: sound even for small n and 0 or n."""
    if n == 0:
        return 0.0, 1.0
    p = count / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def shares(counts: dict[str, int], min_sample: int) -> dict[str, Any]:
    n = sum(counts.values())
    withheld = n < min_sample
    return {
        "n": n,
        "withheld": withheld,
        "values": {
            key: {
                "count": count,
                "share": None if withheld else round(count / n, 4),
                "ci95": None if withheld else wilson_interval(count, n),
            }
            for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        },
    }


def mean_with_interval(n: int, total: float, total_sq: float, min_sample: int) -> dict[str, Any]:
    if n < max(min_sample, 2):
        return {"n": n, "withheld": True, "mean": None, "ci95": None}
    mean = total / n
    variance = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    half = Z95 * math.sqrt(variance / n)
    return {
        "n": n,
        "withheld": False,
        "mean": round(mean, 3),
        "ci95": (round(mean - half, 3), round(mean + half, 3)),
    }


def _window(req: falcon.Request) -> tuple[datetime, datetime]:
    errors = []
    bounds = {}
    for name in ("since", "until"):
        raw = req.get_param(name)
        try:
            value = datetime.fromisoformat(raw) if raw else None
        except ValueError:
            errors.append({"field": name, "message": "must be an ISO 8601 date or time"})
            continue
        bounds[name] = value.replace(tzinfo=value.tzinfo or UTC) if value else None
    if errors:
        raise FieldErrors(errors)
    until = bounds.get("until") or datetime.now(UTC)
    since = bounds.get("since") or until - DEFAULT_WINDOW
    if since >= until:
        raise FieldErrors([{"field": "since", "message": "must be before until"}])
    return since, until


def _in_window(query: Select, since: datetime, until: datetime) -> Select:
    return query.where(Feedback.received_at >= since, Feedback.received_at < until)


def _counts(
    session: Session, column: Any, since: datetime, until: datetime, joined: Any = None
) -> dict[str, int]:
    query = select(column, func.count()).select_from(Feedback)
    if joined is not None:
        query = query.join(joined, joined.feedback_id == Feedback.id)
    rows = session.execute(_in_window(query, since, until).group_by(column)).all()
    return {str(key) if key is not None else "unknown": count for key, count in rows}


def _topics(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Topics are a JSON list per analysis: counted here, portably across backends."""
    counts: dict[str, int] = {}
    query = _in_window(
        select(Analysis.topics).join(Feedback, Analysis.feedback_id == Feedback.id), since, until
    )
    for topics in session.scalars(query.execution_options(yield_per=1000)):
        for topic in topics or ():
            counts[topic] = counts.get(topic, 0) + 1
    return counts


class _Analytics:
    """A staff-only analytics resource that knows the minimum sample size."""

    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session], min_sample: int) -> None:
        self._auth = auth
        self._sessions = sessions
        self._min = min_sample


class AnalyticsSummary(_Analytics):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, STAFF_ROLES)
        since, until = _window(req)
        with self._sessions() as session:
            rating = session.execute(
                _in_window(
                    select(
                        func.count(Feedback.rating),
                        func.sum(Feedback.rating),
                        func.sum(Feedback.rating * Feedback.rating),
                    ),
                    since,
                    until,
                )
            ).one()
            body = {
                "since": since.isoformat(),
                "until": until.isoformat(),
                "min_sample": self._min,
                "total": sum(_counts(session, Feedback.channel, since, until).values()),
                "by_urgency": shares(
                    _counts(session, UrgencyDecision.level, since, until, UrgencyDecision), self._min
                ),
                "by_sentiment": shares(
                    _counts(session, Analysis.sentiment_label, since, until, Analysis), self._min
                ),
                "by_channel": shares(_counts(session, Feedback.channel, since, until), self._min),
                "by_department": shares(_counts(session, Feedback.department, since, until), self._min),
                "by_topic": shares(_topics(session, since, until), self._min),
                "rating": mean_with_interval(
                    rating[0], float(rating[1] or 0), float(rating[2] or 0), self._min
                ),
            }
        resp.media = body
        resp.set_header("Cache-Control", "no-store")


class AnalyticsTrends(_Analytics):
    """Daily counts by urgency and sentiment, and the daily mean rating (UTC days)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.require(req, STAFF_ROLES)
        since, until = _window(req)
        if until - since > timedelta(days=MAX_TREND_DAYS):
            raise FieldErrors([{"field": "since", "message": f"the window is at most {MAX_TREND_DAYS} days"}])
        day = func.date(Feedback.received_at)
        query = (
            select(day, UrgencyDecision.level, Analysis.sentiment_label, Feedback.rating, func.count())
            .select_from(Feedback)
            .outerjoin(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
            .outerjoin(Analysis, Analysis.feedback_id == Feedback.id)
            .group_by(day, UrgencyDecision.level, Analysis.sentiment_label, Feedback.rating)
        )
        days: dict[str, dict[str, Any]] = {}
        with self._sessions() as session:
            for date, level, sentiment, rating, count in session.execute(_in_window(query, since, until)):
                entry = days.setdefault(
                    str(date), {"total": 0, "urgency": {}, "sentiment": {}, "ratings": [0, 0.0, 0.0]}
                )
                entry["total"] += count
                entry["urgency"][level or "pending"] = entry["urgency"].get(level or "pending", 0) + count
                entry["sentiment"][sentiment or "pending"] = (
                    entry["sentiment"].get(sentiment or "pending", 0) + count
                )
                if rating is not None:
                    entry["ratings"][0] += count
                    entry["ratings"][1] += rating * count
                    entry["ratings"][2] += rating * rating * count
        resp.media = {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "days": [
                {
                    "date": date,
                    "total": entry["total"],
                    "urgency": entry["urgency"],
                    "sentiment": entry["sentiment"],
                    "rating": mean_with_interval(*entry["ratings"], self._min),
                }
                for date, entry in sorted(days.items())
            ],
        }
        resp.set_header("Cache-Control", "no-store")
