"""The period a report covers: a school year (1 September - 31 August, the default) or any range of whole
months, the period of the same length directly before it, and their month boundaries.

Months and days are local (CHAT_TIMEZONE, Europe/Brussels); times are stored in UTC. So a month is the
UTC range between two local midnights, computed here in Python, and every query compares stored times
with those bounds (no SQL date functions, which differ per database and know no Brussels time).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import DomainError

MONTH_NAMES = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
               "oktober", "november", "december"]
MAX_MONTHS = 60  # five years; the period before doubles it
FIRST_YEAR = 2000
SCHOOL_YEAR_START = 9  # September
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_SCHOOL_YEAR = re.compile(r"(\d{4})(?:\s*[-/]\s*(\d{4}))?")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def from_index(cls, index: int) -> "Month":
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> "Month":
        return Month.from_index(self.index + months)

    def start(self, tz: ZoneInfo) -> datetime:
        """Local midnight on its first day, in UTC."""
        return datetime.combine(date(self.year, self.month, 1), time(0), tz).astimezone(UTC)

    @property
    def label(self) -> str:  # "september 2017"
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def key(self) -> str:  # "2017-09"
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    first: Month
    months: int
    school_year: bool = False

    @property
    def month_list(self) -> list[Month]:
        return [self.first.plus(i) for i in range(self.months)]

    @property
    def last(self) -> Month:
        return self.first.plus(self.months - 1)

    @property
    def first_day(self) -> date:
        return date(self.first.year, self.first.month, 1)

    @property
    def last_day(self) -> date:
        end = self.first.plus(self.months)
        return date(end.year, end.month, 1) - timedelta(days=1)

    def previous(self) -> "Period":
        """The period of the same length directly before (the school year before, for a school year)."""
        return Period(self.first.plus(-self.months), self.months, self.school_year)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC."""
        return self.first.start(tz), self.first.plus(self.months).start(tz)

    @property
    def label(self) -> str:
        if self.school_year:
            return f"schooljaar {self.first.year}-{self.first.year + 1}"
        if self.months == 1:
            return self.first.label
        return f"{self.first.label} - {self.last.label}"

    @property
    def query(self) -> dict[str, str]:
        """The page's query parameters that select this period."""
        if self.school_year:
            return {"year": f"{self.first.year}-{self.first.year + 1}"}
        return {"from": self.first.key, "to": self.last.key}


def school_year(start_year: int) -> Period:
    return Period(Month(start_year, SCHOOL_YEAR_START), 12, school_year=True)


def school_year_of(day: date) -> int:
    """The year the school year of this day started in (1 September)."""
    return day.year if day.month >= SCHOOL_YEAR_START else day.year - 1


def month_range(first: Month, last: Month) -> Period:
    return Period(first, last.index - first.index + 1)


def parse_period(year: str | None, from_month: str | None, to_month: str | None, today: date) -> Period:
    """The period a coordinator asked for: `from`/`to` months ("2017-09"), else a school year
    ("2017-2018" or "2017"), else the current school year. DomainError names the field that is wrong."""
    from_month, to_month, year = (v.strip() if v else "" for v in (from_month, to_month, year))
    if from_month or to_month:
        if not from_month:
            raise DomainError("invalid", "Kies ook de eerste maand (van).", field="from")
        if not to_month:
            raise DomainError("invalid", "Kies ook de laatste maand (tot en met).", field="to")
        first, last = _month(from_month, "from"), _month(to_month, "to")
        if last.index < first.index:
            raise DomainError("invalid", "De laatste maand ligt vóór de eerste: draai ze om.", field="to")
        if last.index - first.index + 1 > MAX_MONTHS:
            raise DomainError("invalid", f"Kies hoogstens {MAX_MONTHS} maanden ({MAX_MONTHS // 12} jaar).",
                              field="to")
        period = month_range(first, last)
        field = "from"
    elif year:
        period, field = school_year(_school_year(year)), "year"
    else:
        return school_year(school_year_of(today))
    if period.first_day > today:
        raise DomainError("invalid", "Deze periode ligt in de toekomst: er zijn nog geen cijfers.", field=field)
    return period


def _month(value: str, field: str) -> Month:
    match = _MONTH.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < FIRST_YEAR:
        raise DomainError("invalid", f"Geef een maand als jjjj-mm, bijvoorbeeld 2017-09 (niet '{value[:20]}').",
                          field=field)
    return Month(int(match.group(1)), int(match.group(2)))


def _school_year(value: str) -> int:
    match = _SCHOOL_YEAR.fullmatch(value)
    start = int(match.group(1)) if match else 0
    if not match or start < FIRST_YEAR or (match.group(2) and int(match.group(2)) != start + 1):
        raise DomainError("invalid", f"Geef een schooljaar als 2017-2018 (niet '{value[:20]}').", field="year")
    return start
