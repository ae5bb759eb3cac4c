"""When a patient may be messaged: a daily window (08:00-21:00 by default) on the wall clock
of the patient's own timezone, so a send time stays right across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _clock(value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    return time(hours, minutes)


def local_instant(day: date, clock: str, tz: str) -> datetime:
    """`clock` on `day` in `tz`, in UTC. A clock time that a spring-forward skips is read
    with the offset before the change (zoneinfo's fold=0), i.e. an hour later in real time."""
    return datetime.combine(day, _clock(clock), tzinfo=ZoneInfo(tz)).astimezone(UTC)


class SendWindow:
    def __init__(self, opens: str, closes: str) -> None:
        if _clock(closes) <= _clock(opens):
            raise ValueError("a send window must close after it opens, on the same day")
        self.opens, self.closes = opens, closes

    def contains(self, moment: datetime, tz: str) -> bool:
        local = moment.astimezone(ZoneInfo(tz))
        return _clock(self.opens) <= local.time() < _clock(self.closes)

    def open_for(self, moment: datetime, margin: timedelta, tz: str) -> bool:
        """Whether a send starting now finishes inside the window (with `margin` to spare)."""
        return self.contains(moment, tz) and self.contains(moment + margin, tz)

    def next_open(self, moment: datetime, tz: str, margin: timedelta = timedelta(0)) -> datetime:
        """The earliest instant at or after `moment` when a send fits in the window."""
        if self.open_for(moment, margin, tz):
            return moment
        local_day = moment.astimezone(ZoneInfo(tz)).date()
        for day in (local_day, local_day + timedelta(days=1), local_day + timedelta(days=2)):
            opening = local_instant(day, self.opens, tz)
            if opening >= moment and self.open_for(opening, margin, tz):
                return opening
        raise ValueError("the send window is shorter than the margin")
