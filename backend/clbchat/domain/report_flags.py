"""The report's figures about particular chats: pranks, crisis chats, hand-overs, and suicide as a topic
across every school year in the data.

Suicide is found through its topic code (SUICIDE_TOPIC_CODES), never its label or group: a renamed or
regrouped option is still the same topic, and registrations made before the change still count.
"""

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from ..models import Conversation, HandOver, Registration, RegistrationCode
from . import code_lists
from .report_period import Period, school_year, school_year_of
from .report_sql import bucket, flag, within
from .report_tables import Table, change, count, points, share, text

SUICIDE_TOPIC_CODES = ("suicidal_thoughts",)


@dataclass
class FlagCounts:
    registered: int = 0
    pranks: int = 0
    crisis: int = 0  # registered as a crisis
    answered: int = 0
    marked_crisis: int = 0  # marked as a crisis during the chat
    handed_over: int = 0  # answered chats with an accepted hand-over


def flag_figures(session, period: Period, tz) -> tuple[FlagCounts, FlagCounts]:
    """(the period, the period before)."""
    start, end = period.bounds(tz)
    bounds = [period.previous().bounds(tz)[0], start, end]
    c, r = Conversation, Registration
    half = bucket(c.requested_at, bounds)
    found = [FlagCounts(), FlagCounts()]
    for index, registered, pranks, crisis in session.execute(
            select(half, func.count(), func.sum(flag(r.prank.is_(True))), func.sum(flag(r.crisis.is_(True))))
            .select_from(r).join(c, c.id == r.conversation_id).where(within(c.requested_at, bounds)).group_by(half)):
        found[index].registered, found[index].pranks, found[index].crisis = registered, pranks or 0, crisis or 0
    accepted = exists().where(HandOver.conversation_id == c.id, HandOver.outcome == "accepted")
    for index, answered, marked, handed_over in session.execute(
            select(half, func.count(), func.count(c.crisis_at), func.sum(flag(accepted)))
            .where(within(c.requested_at, bounds), c.picked_up_at.is_not(None)).group_by(half)):
        found[index].answered, found[index].marked_crisis = answered, marked
        found[index].handed_over = handed_over or 0
    return found[1], found[0]


def pranks_table(now: FlagCounts, before: FlagCounts, label: str, previous_label: str) -> Table:
    rows = [[text(name), count(f.registered), count(f.pranks), share(f.pranks, f.registered)]
            for name, f in ((label, now), (previous_label, before))]
    return Table("pranks", "Nepoproepen",
                 "Gesprekken die de chatmedewerker als nepoproep registreerde (niet ernstig bedoeld, 'belletje "
                 "trek'), als aandeel van alle geregistreerde gesprekken.",
                 ["Periode", "Geregistreerde gesprekken", "Nepoproepen", "Aandeel"], rows)


def crisis_table(now: FlagCounts, before: FlagCounts, label: str, previous_label: str) -> Table:
    rows = [[text(name), count(f.crisis), share(f.crisis, f.registered), count(f.marked_crisis)]
            for name, f in ((label, now), (previous_label, before))]
    return Table("crisis", "Crisissituaties",
                 "Gesprekken die als crisis geregistreerd werden (onmiddellijke actie nodig), als aandeel van de "
                 "geregistreerde gesprekken; daarnaast hoeveel gesprekken tijdens de chat als crisis gemarkeerd "
                 "werden.",
                 ["Periode", "Geregistreerd als crisis", "Aandeel", "Gemarkeerd tijdens het gesprek"], rows)


def handovers_table(now: FlagCounts, before: FlagCounts, label: str, previous_label: str) -> Table:
    rows = [[text(name), count(f.answered), count(f.handed_over), share(f.handed_over, f.answered)]
            for name, f in ((label, now), (previous_label, before))]
    return Table("handovers", "Doorgegeven aan een collega",
                 "Beantwoorde gesprekken die minstens één keer aan een collega doorgegeven werden (een aanvaarde "
                 "overdracht), als aandeel van de beantwoorde gesprekken.",
                 ["Periode", "Beantwoorde gesprekken", "Met een overdracht", "Aandeel"], rows)


# --- Suicide as a topic, per school year ------------------------------------------------------------------

def suicide_by_school_year(session, tz) -> list[tuple[int, int, int]]:
    """[(school year's first year, registered chats, chats with a suicide topic)] for every school year
    from the first registered chat to the last, in order (years without chats included)."""
    c, r = Conversation, Registration
    first, last = session.execute(select(func.min(c.requested_at), func.max(c.requested_at)).select_from(c)
                                  .join(r, r.conversation_id == c.id)).one()
    if first is None:
        return []
    years = list(range(school_year_of(first.astimezone(tz).date()), school_year_of(last.astimezone(tz).date()) + 1))
    bounds = [school_year(y).bounds(tz)[0] for y in years] + [school_year(years[-1]).bounds(tz)[1]]
    year = bucket(c.requested_at, bounds)
    about_suicide = exists().where(RegistrationCode.conversation_id == r.conversation_id,
                                   RegistrationCode.list_name == "topics",
                                   RegistrationCode.code.in_(SUICIDE_TOPIC_CODES))
    found = {index: (registered, suicide or 0) for index, registered, suicide in session.execute(
        select(year, func.count(), func.sum(flag(about_suicide))).select_from(r)
        .join(c, c.id == r.conversation_id)
        .where(within(c.requested_at, bounds)).group_by(year))}
    return [(y, *found.get(i, (0, 0))) for i, y in enumerate(years)]


def suicide_table(session, years: list[tuple[int, int, int]], highlight: Period | None = None) -> Table:
    labels = code_lists.snapshot(session, "topics").labels()
    names = ", ".join(f"'{labels.get(code, code)}'" for code in SUICIDE_TOPIC_CODES)
    rows, before = [], (None, None)
    for start, registered, suicide in years:
        chats, now = count(suicide), share(suicide, registered)
        name = f"{start}-{start + 1}"
        if highlight is not None and highlight.school_year and highlight.first.year == start:
            name += " (deze periode)"
        rows.append([text(name), count(registered), chats, now, change(chats, before[0]), points(now, before[1]),
                     change(now, before[1])])
        before = (chats, now)
    return Table("suicide", "Zelfdoding als gespreksonderwerp, per schooljaar",
                 f"Geregistreerde gesprekken met het thema {names} (geteld op de code, dus ook onder een vroegere "
                 "naam of in een ander domein), als aandeel van alle geregistreerde gesprekken van dat schooljaar; "
                 "verschil tegenover het schooljaar ervoor.",
                 ["Schooljaar", "Geregistreerde gesprekken", "Over zelfdoding", "Aandeel", "Verschil in aantal",
                  "Verschil in aandeel", "Relatief verschil in aandeel"], rows)
