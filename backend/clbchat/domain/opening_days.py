"""The schedule in force at any moment, past or coming, from the stored history (models/hours.py).

On a local date (CHAT_TIMEZONE) the chat follows, in this order:
1. that date's one-off day, if there is one (closed, or open with its own hours);
2. else the latest schedule version that took effect on or before that date (of two with the same
   date, the one saved last: a correction);
3. else CHAT_HOURS, which is the schedule before the first stored version (and the only one until a
   coordinator saves one).

`CHAT_HOURS=24/7` is also the switch that opens the live chat around the clock for trying it out; the
live service applies it (live_schedule.py), while this history does not: the annual report counts
opening days from what was stored (see docs/deploy.md).

`opening_days(session, first, last, config)` is what the annual report asks: which dates were
opening days, with their hours.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..models import ScheduleDay, ScheduleVersion
from .hours import DayHours, Interval, OpeningHoursBase, Schedule, add_interval

ALWAYS_OPEN = "24/7"


@dataclass(frozen=True)
class HoursConfig:
    """CHAT_HOURS, CHAT_TIMEZONE and CHAT_COUNTRY; an invalid CHAT_HOURS raises InvalidSchedule."""

    default: str
    timezone: str = "Europe/Brussels"
    country: str = "BE"
    default_schedule: Schedule = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "default_schedule", self.compile(self.default))

    @classmethod
    def from_config(cls, config) -> "HoursConfig":
        return cls(config["CHAT_HOURS"], config["CHAT_TIMEZONE"], config["CHAT_COUNTRY"])

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def always_open(self) -> bool:
        """CHAT_HOURS=24/7: the live chat is open around the clock, whatever is stored."""
        return self.default.strip() == ALWAYS_OPEN

    def compile(self, expression: str) -> Schedule:
        return Schedule(expression, self.timezone, self.country)


@dataclass(frozen=True)
class Version:
    """A schedule version as the timeline uses it; id None: CHAT_HOURS, or a draft not yet saved."""

    effective_from: date | None
    expression: str
    schedule: Schedule
    id: int | None = None
    draft: bool = False


@dataclass(frozen=True)
class OneOffDay:
    day: date
    open: bool
    hours: str | None
    reason: str
    schedule: Schedule | None  # None when closed
    id: int | None = None


@dataclass(frozen=True)
class PlannedDay(DayHours):
    """A date with its hours and what decided them: a one-off day, else a version (or CHAT_HOURS)."""

    version: Version | None = None
    one_off: OneOffDay | None = None


class Timeline(OpeningHoursBase):
    """CHAT_HOURS, the versions after it and the one-off days, answering like one schedule."""

    def __init__(self, config: HoursConfig, versions: list[Version], days: list[OneOffDay]):
        self.tz = config.tz
        self.default = Version(None, config.default, config.default_schedule)
        # By date, then in the order saved (a draft last): the last one on or before a date holds.
        self.versions = sorted(versions, key=lambda v: (v.effective_from, v.draft, v.id or 0))
        self._starts = [v.effective_from for v in self.versions]
        self.one_offs = {d.day: d for d in days}

    def version_on(self, day: date) -> Version:
        index = bisect_right(self._starts, day)
        return self.versions[index - 1] if index else self.default

    def schedule_on(self, day: date) -> Schedule | None:
        """What decides the hours on that date; None: a one-off closed day."""
        one_off = self.one_offs.get(day)
        if one_off is not None:
            return one_off.schedule
        return self.version_on(day).schedule

    def is_open(self, now: datetime) -> bool:
        now = now.astimezone(self.tz)
        schedule = self.schedule_on(now.date())
        return schedule is not None and schedule.is_open(now)

    def open_intervals(self, start: datetime, end: datetime) -> list[Interval]:
        spans: list[Interval] = []
        for part_start, part_end, schedule in self._parts(start.astimezone(self.tz), end.astimezone(self.tz)):
            if schedule is not None:
                for a, b in schedule.open_intervals(part_start, part_end):
                    add_interval(spans, a, b)
        return spans

    def _parts(self, start: datetime, end: datetime):
        """[start, end) cut where what decides the hours changes (a version's date, a one-off day)."""
        part_start, current = start, self._decider(start.date())
        day = start.date() + timedelta(days=1)
        while True:
            boundary = datetime.combine(day, datetime.min.time(), self.tz)
            if boundary >= end:
                yield part_start, end, current[1]
                return
            decider = self._decider(day)
            if decider[0] != current[0]:
                yield part_start, boundary, current[1]
                part_start, current = boundary, decider
            day += timedelta(days=1)

    def _decider(self, day: date):
        """(a key that changes when what decides the hours changes, the schedule of that day)."""
        one_off = self.one_offs.get(day)
        if one_off is not None:
            return ("day", day), one_off.schedule
        index = bisect_right(self._starts, day)
        return ("version", index), (self.versions[index - 1] if index else self.default).schedule

    def planned_days(self, first: date, last: date) -> list[PlannedDay]:
        """Every date from `first` to `last` with its hours and what decided them."""
        return [PlannedDay(date=d.date, day=d.day, hours=d.hours, one_off=self.one_offs.get(d.date),
                           version=None if d.date in self.one_offs else self.version_on(d.date))
                for d in self.days(first, last)]

    def with_draft(self, config: HoursConfig, draft: Version) -> "Timeline":
        """This timeline as it would be with `draft` saved (a preview)."""
        return Timeline(config, [*self.versions, draft], list(self.one_offs.values()))


def compiled_version(config: HoursConfig, row: ScheduleVersion) -> Version:
    return Version(row.effective_from, row.expression, config.compile(row.expression), id=row.id)


def compiled_day(config: HoursConfig, row: ScheduleDay) -> OneOffDay:
    schedule = config.compile(row.hours) if row.open and row.hours else None
    return OneOffDay(row.day, row.open, row.hours, row.reason, schedule, id=row.id)


def load_timeline(session, config: HoursConfig, first: date | None = None, last: date | None = None) -> Timeline:
    """The timeline from the database. Versions: every one up to `last` (a handful, and the one in
    force on `first` may be years old); one-off days: only those from `first` to `last`."""
    versions = select(ScheduleVersion).order_by(ScheduleVersion.effective_from, ScheduleVersion.id)
    days = select(ScheduleDay).where(ScheduleDay.removed_at.is_(None)).order_by(ScheduleDay.day)
    if last is not None:
        versions = versions.where(ScheduleVersion.effective_from <= last)
        days = days.where(ScheduleDay.day <= last)
    if first is not None:
        days = days.where(ScheduleDay.day >= first)
    return Timeline(config, [compiled_version(config, v) for v in session.scalars(versions)],
                    [compiled_day(config, d) for d in session.scalars(days)])


def opening_days(session, first: date, last: date, config: HoursConfig) -> list[DayHours]:
    """The dates from `first` to `last` (inclusive, local dates) on which the chat was (or will be) open
    at all, each with its hours, from the stored history: one-off days over versions over CHAT_HOURS.
    For the annual report ("per opening day"); the CHAT_HOURS=24/7 switch plays no part here."""
    timeline = load_timeline(session, config, first, last)
    return [day for day in timeline.days(first, last) if day.hours]
