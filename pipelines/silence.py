"""Silence is an alert too: a kiosk or channel that sends nothing for SILENCE_ALERT_MINUTES
within opening hours may be broken, and a broken kiosk hides complaints.

Silence is counted from the last item or from today's opening, whichever is later, so
nights and closed days never count. One ops alert per source and opening window, however
often the check runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.oncall import SilenceAlert
from models.settings import parse_hours
from models.tables import ApiKey, Feedback
from pipelines.alert_delivery import attempt
from pipelines.clients.messaging import OutboundMessage, Sender
from pipelines.telemetry import count_send
from pipelines.windows import window_start

WATCHED_CHANNELS = ("sms", "voice")  # provider channels: no device key to watch
CHANNEL_MEMORY = timedelta(days=30)  # a channel unused for a month is not expected to speak


@dataclass(frozen=True)
class SilencePolicy:
    minutes: int
    opens: str
    closes: str
    timezone: str
    ops_email: str


def _last_seen(session: Session, now: datetime) -> dict[str, tuple[datetime, str | None]]:
    """Each watched source, the time it last sent something (or was created), and its own
    opening hours if it has some."""
    seen: dict[str, tuple[datetime, str | None]] = {}
    kiosks = session.execute(
        select(ApiKey.name, ApiKey.created_at, ApiKey.opening_hours, func.max(Feedback.received_at))
        .outerjoin(Feedback, Feedback.api_key_id == ApiKey.id)
        .where(ApiKey.role == "kiosk", ApiKey.revoked_at.is_(None))
        .group_by(ApiKey.id, ApiKey.name, ApiKey.created_at, ApiKey.opening_hours)
    )
    for name, created_at, hours, last in kiosks:
        seen[f"kiosk {name}"] = (last or created_at, hours)
    channels = session.execute(
        select(Feedback.channel, func.max(Feedback.received_at))
        .where(Feedback.channel.in_(WATCHED_CHANNELS), Feedback.received_at >= now - CHANNEL_MEMORY)
        .group_by(Feedback.channel)
    )
    for channel, last in channels:
        seen[f"channel {channel}"] = (last, None)
    return seen


def _silence(
    now: datetime, last: datetime, hours: str | None, policy: SilencePolicy
) -> tuple[datetime, datetime] | None:
    """(when this opening window opened, since when the source is quiet) if it has been
    quiet too long within the window; None outside opening hours or when it spoke lately."""
    opens, closes = parse_hours(hours) if hours else (policy.opens, policy.closes)
    opened = window_start(now, opens, closes, policy.timezone)
    if opened is None or now - max(last, opened) < timedelta(minutes=policy.minutes):
        return None
    return opened, max(last, opened)


def find_silences(session: Session, policy: SilencePolicy, now: datetime) -> list[int]:
    """Record a silence alert for each source quiet too long in this opening window; return
    the ids of those not yet sent."""
    for source, (last, hours) in _last_seen(session, now).items():
        silence = _silence(now, last, hours, policy)
        if silence is None:
            continue
        opened, since = silence
        known = session.scalar(
            select(SilenceAlert.id).where(SilenceAlert.source == source, SilenceAlert.silent_since >= opened)
        )
        if known is None:
            try:
                with session.begin_nested():
                    session.add(SilenceAlert(source=source, silent_since=since))
            except IntegrityError:
                pass  # an overlapping check recorded it first
    return list(session.scalars(select(SilenceAlert.id).where(SilenceAlert.status.in_(("pending", "retry")))))


def deliver_silence(session: Session, alert_id: int, sender: Sender, policy: SilencePolicy) -> str | None:
    alert = session.get(SilenceAlert, alert_id, with_for_update=True)
    if alert is None or alert.status not in ("pending", "retry"):
        return None
    since = alert.silent_since.strftime("%Y-%m-%d %H:%M UTC")
    subject = f"CarePulse ops: {alert.source} silent since {since}"
    message = OutboundMessage(
        channel="email",
        to=policy.ops_email,
        subject=subject,
        body=f"{subject}. Nothing has arrived from it for {policy.minutes} minutes of opening hours: "
        "check that it is powered, online and holds a valid key.",
        dedupe_key=f"silence-{alert_id}",
    )
    alert.status = attempt(session, sender, message).status
    count_send(message.channel, "silence", alert.status)
    return alert.status
