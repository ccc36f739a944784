"""What a coordinator changes in the opening hours: a new schedule version (previewed first), a one-off
closed or open day, and removing a one-off day that has not passed yet.

Every expression is checked by opening-hours-py (the library's message is kept, after a Dutch sentence
naming the field); bad input raises DomainError with the field and changes nothing. Each change puts
`hours_changed` on HOURS_CHANNEL: every process forgets its cached schedule (live_schedule.py).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..models import ScheduleDay, ScheduleVersion
from ..models.hours import DAY_HOURS_MAX, EXPRESSION_MAX, REASON_MAX
from .channels import HOURS_CHANNEL
from .errors import DomainError
from .hours import InvalidSchedule, Schedule, long_date
from .opening_days import HoursConfig, PlannedDay, Timeline, Version, compiled_version, load_timeline

HOURS_CHANGED = {"type": "hours_changed"}
PREVIEW_WEEKS = 6
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")
PARSER_POSITION = re.compile(r"--> \d+:(\d+)")


@dataclass(frozen=True)
class Draft:
    """A checked new version, not saved yet."""

    effective_from: date
    expression: str
    note: str | None
    version: Version


@dataclass(frozen=True)
class Preview:
    draft: Draft
    days: list[PlannedDay]  # PREVIEW_WEEKS weeks from the date it takes effect
    retroactive: bool  # takes effect before today: it changes which past days were opening days
    replaces: list[ScheduleVersion]  # saved versions with the same date, which it supersedes
    later: list[ScheduleVersion]  # versions taking effect after it, which still hold from their date


def check_draft(config: HoursConfig, expression: str, effective_from: str | date, note: str | None) -> Draft:
    expression = " ".join((expression or "").split())
    if not expression:
        raise DomainError("invalid", "Vul de openingsuren in.", field="expression")
    if len(expression) > EXPRESSION_MAX:
        raise DomainError("invalid", f"De openingsuren zijn te lang (hoogstens {EXPRESSION_MAX} tekens).",
                          field="expression")
    schedule = _compiled(config, expression, "expression",
                         "De openingsuren zijn geen geldige opening_hours-uitdrukking")
    day = parse_date(effective_from, "effective_from")
    note = _short_text(note, "note", required=False)
    return Draft(day, expression, note, Version(day, expression, schedule, draft=True))


def preview(session, config: HoursConfig, draft: Draft, today: date) -> Preview:
    """The hours per day for PREVIEW_WEEKS weeks from the draft's date, as they would be once it is
    saved (one-off days and later versions included)."""
    last = draft.effective_from + timedelta(weeks=PREVIEW_WEEKS, days=-1)
    timeline: Timeline = load_timeline(session, config, draft.effective_from, last).with_draft(config, draft.version)
    rows = session.scalars(select(ScheduleVersion).where(ScheduleVersion.effective_from >= draft.effective_from)
                           .order_by(ScheduleVersion.effective_from, ScheduleVersion.id)).all()
    return Preview(draft=draft, days=timeline.planned_days(draft.effective_from, last),
                   retroactive=draft.effective_from < today,
                   replaces=[v for v in rows if v.effective_from == draft.effective_from],
                   later=[v for v in rows if v.effective_from > draft.effective_from])


def add_version(session, config: HoursConfig, draft: Draft, user_id: int, now: datetime,
                outbox: list) -> ScheduleVersion:
    row = ScheduleVersion(effective_from=draft.effective_from, expression=draft.expression, note=draft.note,
                          created_by_id=user_id, created_at=now)
    session.add(row)
    session.flush()
    compiled_version(config, row)  # what the timeline will load compiles (it did in check_draft)
    outbox.append((HOURS_CHANNEL, HOURS_CHANGED))
    return row


def add_day(session, config: HoursConfig, day: str | date, kind: str, reason: str, user_id: int, now: datetime,
            outbox: list, hours: str | None = None, open_from: str | None = None,
            open_to: str | None = None) -> ScheduleDay:
    """A one-off day: `kind` "closed", or "open" with `hours` (an opening_hours expression for that day,
    e.g. "10:00-12:00,14:00-17:00") or else `open_from` and `open_to` (HH:MM)."""
    day = parse_date(day, "day")
    if kind not in ("closed", "open"):
        raise DomainError("invalid", "Kies gesloten of open.", field="kind")
    reason = _short_text(reason, "reason", required=True)
    expression = None
    if kind == "open":
        expression = _day_hours(config, day, hours, open_from, open_to)
    taken = session.scalar(select(ScheduleDay).where(ScheduleDay.day == day, ScheduleDay.removed_at.is_(None)))
    if taken is not None:
        raise DomainError("day_taken", f"Voor {long_date(day, year=True)} is er al een uitzondering ({taken.reason}). "
                          "Verwijder die eerst.", field="day")
    row = ScheduleDay(day=day, open=kind == "open", hours=expression, reason=reason, created_by_id=user_id,
                      created_at=now)
    session.add(row)
    session.flush()
    outbox.append((HOURS_CHANNEL, HOURS_CHANGED))
    return row


def remove_day(session, day_id: int, user_id: int, now: datetime, today: date, outbox: list) -> ScheduleDay:
    """Remove a one-off day from today on; a day that has passed stays (the report counts it)."""
    row = session.get(ScheduleDay, day_id)
    if row is None or row.removed_at is not None:
        raise DomainError("not_found", "Deze uitzondering bestaat niet (meer).", field="day_id")
    if row.day < today:
        raise DomainError("wrong_state", "Een voorbije dag blijft bewaard: hij telt mee in het jaarverslag.",
                          field="day_id")
    row.removed_at, row.removed_by_id = now, user_id
    session.flush()
    outbox.append((HOURS_CHANNEL, HOURS_CHANGED))
    return row


def versions(session) -> list[ScheduleVersion]:
    """Every saved version, the latest date first (of one date, the last saved first)."""
    return list(session.scalars(select(ScheduleVersion)
                                .order_by(ScheduleVersion.effective_from.desc(), ScheduleVersion.id.desc())))


def one_off_days(session, first: date | None = None) -> list[ScheduleDay]:
    """The one-off days (not removed) from `first` on, by date."""
    query = select(ScheduleDay).where(ScheduleDay.removed_at.is_(None)).order_by(ScheduleDay.day)
    if first is not None:
        query = query.where(ScheduleDay.day >= first)
    return list(session.scalars(query))


def parse_date(value: str | date, field: str) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat((value or "").strip())
        except ValueError:
            raise DomainError("invalid", "Geef een datum, bijvoorbeeld 2026-09-01.", field=field) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise DomainError("invalid", f"Geef een datum tussen {FIRST_DATE.year} en {LAST_DATE.year}.", field=field)
    return day


def _day_hours(config: HoursConfig, day: date, hours: str | None, open_from: str | None,
               open_to: str | None) -> str:
    hours = " ".join((hours or "").split())
    if hours:
        field = "hours"
        if len(hours) > DAY_HOURS_MAX:
            raise DomainError("invalid", f"De uren zijn te lang (hoogstens {DAY_HOURS_MAX} tekens).", field=field)
    else:
        open_from, open_to = (open_from or "").strip(), (open_to or "").strip()
        if not CLOCK.fullmatch(open_from) or open_from == "24:00":
            raise DomainError("invalid", "Geef het beginuur als uu:mm, bijvoorbeeld 17:00.", field="open_from")
        if not CLOCK.fullmatch(open_to):
            raise DomainError("invalid", "Geef het einduur als uu:mm, bijvoorbeeld 21:00.", field="open_to")
        if open_to != "24:00" and open_to <= open_from:
            raise DomainError("invalid", "Het einduur moet na het beginuur komen.", field="open_to")
        hours, field = f"{open_from}-{open_to}", "open_from"
    schedule = _compiled(config, hours, field, "De uren zijn geen geldige opening_hours-uitdrukking")
    if not schedule.days(day, day)[0].hours:
        raise DomainError("invalid", f"Met deze uren is de chat op {long_date(day, year=True)} niet open.", field=field)
    return hours


def _compiled(config: HoursConfig, expression: str, field: str, problem: str) -> Schedule:
    try:
        return config.compile(expression)
    except InvalidSchedule as exc:
        raise DomainError("invalid", f"{problem} ({_parser_detail(exc)}).", field=field) from exc


def _parser_detail(exc: InvalidSchedule) -> str:
    """Where the library stopped and what it expected there: 'fout bij teken 7: expected ...'."""
    text = str(exc.__cause__ or exc)
    where = PARSER_POSITION.search(text)
    expected = [line.strip().removeprefix("= ") for line in text.splitlines() if line.strip().startswith("= ")]
    detail = f"fout bij teken {where.group(1)}" if where else "de bibliotheek kan ze niet lezen"
    return f"{detail}: {expected[0][:200]}" if expected else detail


def _short_text(value: str | None, field: str, required: bool) -> str | None:
    value = " ".join((value or "").split())
    if not value:
        if required:
            raise DomainError("invalid", "Geef een korte reden, bijvoorbeeld 'personeelsdag'.", field=field)
        return None
    if len(value) > REASON_MAX:
        raise DomainError("invalid", f"Hoogstens {REASON_MAX} tekens.", field=field)
    return value
