"""Staff analytics: GET /v1/analytics/summary and GET /v1/analytics/trends.

Honest numbers: every share comes with its count and a 95% Wilson interval, and below
the minimum sample size (ANALYTICS_MIN_SAMPLE, 30 by default) shares, means, scores and
percentiles are withheld, never shown as a bare percentage. Counts are always shown.
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
from ingest.feedback_filters import URGENCY_LEVELS, instant_param
from models.channels import SurveyResponse
from models.keys import STAFF_ROLES
from models.tables import Analysis, Feedback, UrgencyDecision
from models.urgency_models import UrgencyLabel

Z95 = 1.959964
DEFAULT_WINDOW = timedelta(days=30)
MAX_TREND_DAYS = 366
NPS_CATEGORIES = ("promoter", "passive", "detractor")
# The levels someone is paged for: how fast they are acknowledged is what staff are judged on.
ACK_LEVELS = ("critical", "high")


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


def nps_with_interval(counts: dict[str, int], min_sample: int) -> dict[str, Any]:
    """The Net Promoter Score with its 95% interval: the score is a difference of two
    multinomial proportions, so its variance is (p_pro + p_det - (p_pro - p_det)^2) / n."""
    n = sum(counts.get(category, 0) for category in NPS_CATEGORIES)
    promoters, detractors = counts.get("promoter", 0), counts.get("detractor", 0)
    body: dict[str, Any] = {
        "n": n,
        "promoters": promoters,
        "passives": counts.get("passive", 0),
        "detractors": detractors,
        "withheld": n < max(min_sample, 1),
        "score": None,
        "ci95": None,
    }
    if body["withheld"]:
        return body
    p_pro, p_det = promoters / n, detractors / n
    score = p_pro - p_det
    half = Z95 * math.sqrt(max(0.0, p_pro + p_det - score * score) / n)
    body["score"] = round(100 * score, 2)
    body["ci95"] = (round(max(-100.0, 100 * (score - half)), 2), round(min(100.0, 100 * (score + half)), 2))
    return body


def percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont does, so
    the numbers agree with an ad-hoc SQL query; computed here because SQLite has none."""
    position = (len(ordered) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def ack_delays(durations: list[float | None], min_sample: int) -> dict[str, Any]:
    """Median and 90th percentile of minutes to acknowledge (None = still open). The open
    count is always shown beside them: a median of the acknowledged alone flatters a
    backlog of items nobody has picked up."""
    acknowledged = sorted(minutes for minutes in durations if minutes is not None)
    withheld = len(acknowledged) < max(min_sample, 1)
    return {
        "n_acknowledged": len(acknowledged),
        "n_open": len(durations) - len(acknowledged),
        "median_minutes": None if withheld else round(percentile(acknowledged, 0.5), 2),
        "p90_minutes": None if withheld else round(percentile(acknowledged, 0.9), 2),
        "withheld": withheld,
    }


def _total(confusion: dict[str, dict[str, int]]) -> int:
    return sum(sum(row.values()) for row in confusion.values())


def _diagonal(confusion: dict[str, dict[str, int]]) -> int:
    """The pairs where the staff label and the pipeline's decision are the same level."""
    return sum(row.get(label, 0) for label, row in confusion.items())


def cohen_kappa(confusion: dict[str, dict[str, int]]) -> float | None:
    """Agreement beyond what chance would give with the same label mixes; None when chance
    alone already agrees fully (one class on both sides), where kappa is undefined."""
    n = _total(confusion)
    if n == 0:
        return None
    by_decision: dict[str, int] = {}
    for row in confusion.values():
        for decision, count in row.items():
            by_decision[decision] = by_decision.get(decision, 0) + count
    observed = _diagonal(confusion) / n
    expected = sum(sum(row.values()) * by_decision.get(label, 0) for label, row in confusion.items()) / n**2
    if expected >= 1:
        return None
    return round((observed - expected) / (1 - expected), 4)


def agreement(confusion: dict[str, dict[str, int]], min_sample: int) -> dict[str, Any]:
    """How often the pipeline's urgency matches the staff label: counts and the confusion
    always, the share (Wilson interval) and Cohen's kappa only from the minimum sample on."""
    n, agree = _total(confusion), _diagonal(confusion)
    withheld = n < max(min_sample, 1)
    return {
        "n": n,
        "agree": agree,
        "share": None if withheld else round(agree / n, 4),
        "ci95": None if withheld else wilson_interval(agree, n),
        "cohen_kappa": None if withheld else cohen_kappa(confusion),
        "confusion": confusion,
        "withheld": withheld,
    }


def _window(req: falcon.Request) -> tuple[datetime, datetime]:
    errors: list[dict[str, str]] = []
    bounds = {name: instant_param(req, name, errors) for name in ("since", "until")}
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


def _nps_counts(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Surveys without an NPS question have no category and are not counted."""
    query = (
        select(SurveyResponse.nps_category, func.count())
        .join(Feedback, SurveyResponse.feedback_id == Feedback.id)
        .where(SurveyResponse.nps_category.is_not(None))
        .group_by(SurveyResponse.nps_category)
    )
    return {category: count for category, count in session.execute(_in_window(query, since, until))}


def _ack_minutes(session: Session, level: str, since: datetime, until: datetime) -> list[float | None]:
    """Minutes from arrival to acknowledgement of each item of one urgency level, None while
    open. Only the two timestamps are fetched: the difference is taken here, portably."""
    query = (
        select(Feedback.received_at, Feedback.acknowledged_at)
        .join(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .where(UrgencyDecision.level == level)
    )
    rows = session.execute(_in_window(query, since, until).execution_options(yield_per=1000))
    return [(acked - received).total_seconds() / 60 if acked else None for received, acked in rows]


def _time_to_acknowledge(
    session: Session, since: datetime, until: datetime, min_sample: int
) -> dict[str, Any]:
    """Per paged level and overall; the overall figures pool the items, not the medians."""
    per_level = {level: _ack_minutes(session, level, since, until) for level in ACK_LEVELS}
    overall = [minutes for durations in per_level.values() for minutes in durations]
    return {
        **{level: ack_delays(durations, min_sample) for level, durations in per_level.items()},
        "overall": ack_delays(overall, min_sample),
    }


def _level_order(level: str) -> tuple[int, str]:
    return (URGENCY_LEVELS.index(level) if level in URGENCY_LEVELS else len(URGENCY_LEVELS), level)


def _confusion(session: Session, since: datetime, until: datetime) -> dict[str, dict[str, int]]:
    """Staff label (rows) against the pipeline's decision (columns), observed pairs only."""
    query = (
        select(UrgencyLabel.label, UrgencyDecision.level, func.count())
        .select_from(Feedback)
        .join(UrgencyDecision, UrgencyDecision.feedback_id == Feedback.id)
        .join(UrgencyLabel, UrgencyLabel.feedback_id == Feedback.id)
        .group_by(UrgencyLabel.label, UrgencyDecision.level)
    )
    pairs = sorted(
        session.execute(_in_window(query, since, until)).all(),
        key=lambda row: (_level_order(row[0]), _level_order(row[1])),
    )
    confusion: dict[str, dict[str, int]] = {}
    for label, decision, count in pairs:
        confusion.setdefault(label, {})[decision] = count
    return confusion


class _Analytics:
    """A staff-only analytics resource that knows the minimum sample size."""

    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session], min_sample: int) -> None:
        self._auth = auth
        self._sessions = sessions
        self._min = min_sample


class AnalyticsSummary(_Analytics):
    """Counts and shares over a window, the NPS, time to acknowledge paged items, and how
    often the pipeline's urgency agrees with staff's label."""

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
                "nps": nps_with_interval(_nps_counts(session, since, until), self._min),
                "time_to_acknowledge": _time_to_acknowledge(session, since, until, self._min),
                "model_agreement": agreement(_confusion(session, since, until), self._min),
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
