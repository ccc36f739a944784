"""The annual report ("jaarverslag") from the data: every figure of the 2017-2018 report for any period,
next to the period before where the report compares.

    report = build(session, period, tz, opening_dates)

`period` comes from report_period.parse_period (a school year by default); `opening_dates` are the days
the chat was open, for the period and the period before (domain/opening_days.py, from the stored
history of opening hours). The figures live in one module per idea, each a function per table that returns a `Table` of
`Cell`s (report_tables.py), so the page, the printable version and exports share them:

- report_chats: requests, answered, outcomes, per month and per opening day; waiting time; duration
- report_visitors: who chatted, pupils' age, topics and results per visitor type
- report_flags: pranks, crisis, hand-overs, suicide as a topic per school year
- report_ratings: stars per visitor type, the comments
- report_staff: counsellors, CLBs, chats per counsellor; sites and partner refs

Every aggregate is computed in SQL (GROUP BY a month or period bucket); Python only arranges the handful of
grouped rows into tables.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..models import Conversation
from . import report_chats, report_flags, report_ratings, report_staff, report_visitors
from .report_period import Period, school_year_of
from .report_tables import Table


@dataclass(frozen=True)
class Section:
    title: str
    tables: list[Table]


@dataclass(frozen=True)
class Report:
    period: Period
    previous: Period
    requests: int  # chat requests in the period; 0: there is nothing to report
    sections: list[Section]

    def table(self, key: str) -> Table:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


def build(session, period: Period, tz, opening_dates: list[date]) -> Report:
    previous = period.previous()
    label, previous_label = period.label, previous.label
    chats = report_chats.chat_figures(session, period, tz, opening_dates)
    visitors = report_visitors.visitor_figures(session, period, tz)
    flags_now, flags_before = report_flags.flag_figures(session, period, tz)
    answered = {m: chats.months[m].answered for m in period.month_list}
    types = report_visitors.visitor_types_with_chats(visitors)
    sections = [
        Section("Aantal chatgesprekken", [
            report_chats.overview_table(chats, label, previous_label),
            report_chats.requests_per_month_table(chats),
            report_chats.answered_share_table(chats),
            report_chats.outcomes_table(chats, label, previous_label),
            report_chats.outcomes_per_month_table(chats),
        ]),
        Section("Wachttijd en gespreksduur", [
            report_chats.waiting_table(chats),
            report_chats.duration_table(chats),
        ]),
        Section("Nepoproepen, crisissituaties en overdrachten", [
            report_flags.pranks_table(flags_now, flags_before, label, previous_label),
            report_flags.crisis_table(flags_now, flags_before, label, previous_label),
            report_flags.handovers_table(flags_now, flags_before, label, previous_label),
        ]),
        Section("Onze cliënten", [
            report_visitors.who_compared_table(visitors, label, previous_label),
            report_visitors.who_per_month_table(visitors, answered, chats.current.answered),
            report_visitors.pupil_age_table(visitors, label, previous_label),
            report_visitors.topic_groups_table(visitors),
            *(report_visitors.codes_table(session, visitors, list_name, visitor_type)
              for visitor_type in types for list_name in ("topics", "results")),
        ]),
        Section("Tevredenheid", [
            report_ratings.ratings_table(report_ratings.rating_figures(session, period, tz)),
            report_ratings.comments_table(session, period, tz),
        ]),
        Section("Zelfdoding als gespreksonderwerp", [
            report_flags.suicide_table(session, report_flags.suicide_by_school_year(session, tz), period),
        ]),
        Section("De chatmedewerkers", [
            report_staff.counsellors_table(session, period, previous, tz, label, previous_label),
            report_staff.by_discipline_table(session, period, tz),
            report_staff.by_network_table(session, period, tz),
            report_staff.by_clb_table(session, period, tz),
            report_staff.per_counsellor_table(session, period, tz),
        ]),
        Section("Waar de chats vandaan kwamen", [
            report_staff.sites_table(session, period, tz),
            report_staff.refs_table(session, period, tz),
        ]),
    ]
    return Report(period, previous, chats.current.requests, sections)


def school_years(session, tz, today: date) -> list[int]:
    """The school years a coordinator can pick, newest first: from that of the first chat request to the
    current one (the first year of each, 2017 for 2017-2018)."""
    first = session.scalar(select(func.min(Conversation.requested_at)))
    current = school_year_of(today)
    oldest = min(school_year_of(first.astimezone(tz).date()), current) if first is not None else current
    return list(range(current, oldest - 1, -1))
