"""Weekly local-time windows ("Mon-Fri 08:00-20:00 in Europe/Paris"), for the on-call
roster and for opening hours.

Times are wall-clock in the window's own timezone, so a shift keeps its hours across
daylight-saving changes. A window whose end is not after its start crosses midnight and
belongs to the weekday it starts on.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

ALL_WEEK = "1234567"


def _clock(value: str) -> time | None:
    """`HH:MM` as a time; `24:00` (the end of the day) as None."""
    hours, minutes = (int(part) for part in value.split(":"))
    return None if hours == 24 else time(hours, minutes)


def window_start(now: datetime, starts: str, ends: str, tz: str, weekdays: str = ALL_WEEK) -> datetime | None:
    """When the window that contains `now` opened (in UTC), or None if `now` is outside."""
    local = now.astimezone(ZoneInfo(tz))
    start, end = _clock(starts) or time(0), _clock(ends)
    for days_back in (0, 1):  # today's window, or yesterday's crossing midnight
        day = local.date() - timedelta(days=days_back)
        if str(day.isoweekday()) not in weekdays:
            continue
        opened = datetime.combine(day, start, tzinfo=local.tzinfo)
        if end is None:
            closes = datetime.combine(day + timedelta(days=1), time(0), tzinfo=local.tzinfo)
        elif end > start:
            closes = datetime.combine(day, end, tzinfo=local.tzinfo)
        else:
            closes = datetime.combine(day + timedelta(days=1), end, tzinfo=local.tzinfo)
        if opened <= local < closes:
            return opened.astimezone(UTC)
    return None


def in_window(now: datetime, starts: str, ends: str, tz: str, weekdays: str = ALL_WEEK) -> bool:
    return window_start(now, starts, ends, tz, weekdays) is not None
