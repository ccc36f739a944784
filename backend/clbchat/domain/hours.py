"""Opening hours: is the chat open now, when does that change, and the week's hours in Dutch.

Schedules are OpenStreetMap `opening_hours` expressions evaluated by the opening-hours-py library in
the service's time zone with that country's public holidays (`PH off`). No parsing of our own.
`Schedule` is one expression; domain/opening_days.py puts the stored versions and one-off days
together. Both answer through `OpeningHoursBase`, from their open intervals.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, State

DAY_NAMES = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTH_NAMES = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
               "oktober", "november", "december"]


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
    return f"{long_date(moment.date())} om {clock}"


def long_date(day: date, year: bool = False) -> str:
    """'maandag 4 januari', or with the year 'maandag 4 januari 2027'."""
    text = f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
    return f"{text} {day.year}" if year else text


HORIZON_DAYS = 366  # a schedule closed (or open) longer than a year "never" changes
Interval = tuple[datetime, datetime]


class OpeningHoursBase:
    """What the service asks of any schedule, from two answers a subclass gives: `is_open(now)` and
    `open_intervals(start, end)` (the open periods, adjoining ones merged, clipped to the range)."""

    tz: ZoneInfo

    def is_open(self, now: datetime) -> bool:
        raise NotImplementedError

    def open_intervals(self, start: datetime, end: datetime) -> list[Interval]:
        raise NotImplementedError

    def state(self, now: datetime) -> HoursState:
        now = now.astimezone(self.tz)
        is_open = self.is_open(now)
        next_change = self.next_change(now, is_open)
        return HoursState(open=is_open, next_change=next_change, next_open=None if is_open else next_change,
                          week=self.week(now))

    def next_change(self, now: datetime, is_open: bool) -> datetime | None:
        now = now.astimezone(self.tz)
        for days in (8, HORIZON_DAYS):  # most answers lie within the week: look there first
            horizon = now + timedelta(days=days)
            spans = self.open_intervals(now, horizon)
            if is_open and spans and spans[0][1] < horizon:
                return spans[0][1]
            if not is_open and spans:
                return spans[0][0]
        return None

    def week(self, now: datetime) -> list[DayHours]:
        """Seven days from today, each with its open intervals clipped to that day."""
        today = now.astimezone(self.tz).date()
        return self.days(today, today + timedelta(days=6))

    def days(self, first: date, last: date) -> list[DayHours]:
        """Every date from `first` to `last` (inclusive) with its open hours ([] when closed)."""
        spans = self.open_intervals(midnight(first, self.tz), midnight(last + timedelta(days=1), self.tz))
        return [DayHours(date=day, day=DAY_NAMES[day.weekday()], hours=hours)
                for day, hours in hours_per_day(spans, first, last, self.tz)]


class Schedule(OpeningHoursBase):
    """One expression, e.g. CHAT_HOURS."""

    def __init__(self, expression: str, timezone: str = "Europe/Brussels", country: str = "BE"):
        self.expression = expression
        self.tz = ZoneInfo(timezone)
        try:
            # A year bounds the library's own search for a change; a schedule closed longer is "never".
            self._oh = OpeningHours(expression, timezone=self.tz, country=country, max_interval_days=HORIZON_DAYS)
        except Exception as exc:  # the library raises its own ParserError (a SyntaxError subclass)
            raise InvalidSchedule(f"Invalid opening hours {expression!r}: {exc}") from exc

    def is_open(self, now: datetime) -> bool:
        return self._oh.state(now.astimezone(self.tz))[0] == State.OPEN

    def open_intervals(self, start: datetime, end: datetime) -> list[Interval]:
        spans: list[Interval] = []
        for a, b, state, _comment in self._oh.intervals(start.astimezone(self.tz), end.astimezone(self.tz)):
            if state == State.OPEN:
                add_interval(spans, a, b)
        return spans


def add_interval(spans: list[Interval], start: datetime, end: datetime) -> None:
    """Append [start, end) to time-ordered `spans`, merged with the last one when they touch."""
    if spans and spans[-1][1] >= start:
        spans[-1] = (spans[-1][0], max(spans[-1][1], end))
    else:
        spans.append((start, end))


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def hours_per_day(spans: list[Interval], first: date, last: date, tz: ZoneInfo):
    """(date, [("17:00", "21:00"), ...]) for every date from `first` to `last`: the spans cut at local
    midnights; a span running to midnight ends at "24:00"."""
    by_day: dict[date, list[tuple[str, str]]] = {}
    for start, end in spans:
        start, end = start.astimezone(tz), end.astimezone(tz)
        while start < end:
            day = start.date()
            day_end = midnight(day + timedelta(days=1), tz)
            by_day.setdefault(day, []).append((_clock(start), _clock(end) if end < day_end else "24:00"))
            start = day_end
    day = first
    while day <= last:
        yield day, by_day.get(day, [])
        day += timedelta(days=1)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")
