"""Opening hours: is the chat open now, when does that change, and the week's hours in Dutch.

Schedules are OpenStreetMap `opening_hours` expressions evaluated by the opening-hours-py library in
the service's time zone with that country's public holidays (`PH off`). No parsing of our own.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, State

DAY_NAMES = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]


class InvalidSchedule(ValueError):
    """The expression is not valid opening_hours syntax; the message is the library's own."""


@dataclass(frozen=True)
class DayHours:
    date: date
    day: str
    hours: list[tuple[str, str]]


@dataclass(frozen=True)
class HoursState:
    open: bool
    next_change: datetime | None
    next_open: datetime | None  # None while open, or when it never opens again
    week: list[DayHours]

    def next_open_text(self, now: datetime) -> str | None:
        if self.open or self.next_open is None:
            return None
        return "Opent " + describe_moment(self.next_open, now)


def describe_moment(moment: datetime, now: datetime) -> str:
    """'vandaag om 17:00', 'morgen om 17:00', 'woensdag om 14:00' or 'maandag 4 januari om 17:00'."""
    days = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    clock = moment.strftime("%H:%M")
    if days == 0:
        return f"vandaag om {clock}"
    if days == 1:
        return f"morgen om {clock}"
    weekday = DAY_NAMES[moment.weekday()]
    if days < 7:
        return f"{weekday} om {clock}"
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
              "september", "oktober", "november", "december"]  # fmt: skip
    return f"{weekday} {moment.day} {months[moment.month - 1]} om {clock}"


class Schedule:
    def __init__(self, expression: str, timezone: str = "Europe/Brussels", country: str = "BE"):
        self.expression = expression
        self.tz = ZoneInfo(timezone)
        try:
            # A year bounds the search for the next change; a schedule closed longer is "never".
            self._oh = OpeningHours(expression, timezone=self.tz, country=country, max_interval_days=366)
        except Exception as exc:  # the library raises its own ParserError (a SyntaxError subclass)
            raise InvalidSchedule(f"Invalid opening hours {expression!r}: {exc}") from exc

    def is_open(self, now: datetime) -> bool:
        return self._oh.state(now.astimezone(self.tz))[0] == State.OPEN

    def state(self, now: datetime) -> HoursState:
        now = now.astimezone(self.tz)
        is_open = self.is_open(now)
        next_change = self._oh.next_change(now)
        next_open = None
        if not is_open:
            next_open = next_change
        return HoursState(open=is_open, next_change=next_change, next_open=next_open, week=self.week(now))

    def week(self, now: datetime) -> list[DayHours]:
        """Seven days from today, each with its open intervals clipped to that day."""
        today = now.astimezone(self.tz).date()
        days = []
        for offset in range(7):
            day = today + timedelta(days=offset)
            start = datetime.combine(day, time(0), self.tz)
            end = datetime.combine(day + timedelta(days=1), time(0), self.tz)
            hours = [
                (_clock(max(a, start)), _clock(min(b, end)) if b < end else "24:00")
                for a, b, state, _comment in self._oh.intervals(start, end)
                if state == State.OPEN
            ]
            days.append(DayHours(date=day, day=DAY_NAMES[day.weekday()], hours=hours))
        return days


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")
