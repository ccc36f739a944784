"""The report's figures from the registrations: who chatted (per month), the pupils' mean age, and the
topics and results per visitor type.

Every figure counts registered chats (one registration per answered chat, domain/registration.py) by the
local month their request came in; pranks count too, as in the annual report. A chat can have several
topics and results, so their shares add up to more than 100 %. Codes are counted, never labels: a renamed
option keeps its counts, and the label shown is today's.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..models import CodeOption, Conversation, Registration, RegistrationCode
from ..models.registration import VISITOR_TYPES
from . import code_lists
from .report_period import Month, Period
from .report_sql import bucket, within
from .report_tables import Table, count, measure, share, text

VISITOR_LABELS = {"pupil": "Leerlingen", "parent": "Ouders", "teacher": "Leerkrachten", "other": "Anderen"}
VISITOR_SINGULAR = {"pupil": "Leerling", "parent": "Ouder", "teacher": "Leerkracht", "other": "Iemand anders"}
assert set(VISITOR_LABELS) == set(VISITOR_TYPES)
NO_GROUP = "Zonder domein"
CRISIS_LABEL = "Crisissituatie"
SEVERAL = "Eén gesprek kan meerdere {what} hebben: samen is dat meer dan 100 %."


@dataclass
class VisitorFigures:
    period: Period
    months: dict[Month, dict[str, int]]  # the period's months: registered chats per visitor type
    registered: dict[str, int]  # the period: per visitor type
    registered_before: dict[str, int]  # the period before
    ages: dict[str, tuple[float | None, int]]  # "current"/"previous": (mean age of pupils, pupils with an age)
    codes: dict[tuple[str, str], dict[str, int]]  # (list, code): chats per visitor type, the period
    groups: dict[str | None, dict[str, int]]  # topic group: chats with a topic in it, per visitor type
    crisis: dict[str, int]  # registered as crisis, per visitor type


def visitor_figures(session, period: Period, tz) -> VisitorFigures:
    window = period.previous().month_list + period.month_list
    bounds = [m.start(tz) for m in window] + [period.bounds(tz)[1]]
    start, end = period.bounds(tz)
    r, c = Registration, Conversation
    month = bucket(c.requested_at, bounds)
    rows = session.execute(select(month, r.visitor_type, func.count()).select_from(r)
                           .join(c, c.id == r.conversation_id)
                           .where(within(c.requested_at, bounds)).group_by(month, r.visitor_type)).all()
    months = {m: dict.fromkeys(VISITOR_TYPES, 0) for m in window}
    for index, visitor_type, n in rows:
        months[window[index]][visitor_type] = n
    registered, registered_before = (
        {t: sum(months[m][t] for m in part) for t in VISITOR_TYPES}
        for part in (period.month_list, period.previous().month_list))

    halves = bucket(c.requested_at, [bounds[0], start, end])
    ages = {"current": (None, 0), "previous": (None, 0)}
    for half, mean, n in session.execute(
            select(halves, func.avg(r.age), func.count(r.age)).select_from(r).join(c, c.id == r.conversation_id)
            .where(within(c.requested_at, bounds), r.visitor_type == "pupil", r.age.is_not(None)).group_by(halves)):
        ages["current" if half == 1 else "previous"] = (float(mean), n)

    in_period = within(c.requested_at, [start, end])
    codes: dict = {}
    for list_name, code, visitor_type, n in session.execute(
            select(RegistrationCode.list_name, RegistrationCode.code, r.visitor_type, func.count())
            .select_from(RegistrationCode).join(r, r.conversation_id == RegistrationCode.conversation_id)
            .join(c, c.id == r.conversation_id)
            .where(in_period).group_by(RegistrationCode.list_name, RegistrationCode.code, r.visitor_type)):
        codes.setdefault((list_name, code), dict.fromkeys(VISITOR_TYPES, 0))[visitor_type] = n
    groups: dict = {}
    for group, visitor_type, n in session.execute(
            select(CodeOption.group_code, r.visitor_type, func.count(func.distinct(r.conversation_id)))
            .select_from(r).join(RegistrationCode, RegistrationCode.conversation_id == r.conversation_id)
            .join(CodeOption, (CodeOption.list_name == RegistrationCode.list_name)
                  & (CodeOption.code == RegistrationCode.code))
            .join(c, c.id == r.conversation_id)
            .where(in_period, RegistrationCode.list_name == "topics")
            .group_by(CodeOption.group_code, r.visitor_type)):
        groups.setdefault(group, dict.fromkeys(VISITOR_TYPES, 0))[visitor_type] = n
    crisis = dict.fromkeys(VISITOR_TYPES, 0)
    for visitor_type, n in session.execute(
            select(r.visitor_type, func.count()).select_from(r).join(c, c.id == r.conversation_id)
            .where(in_period, r.crisis.is_(True)).group_by(r.visitor_type)):
        crisis[visitor_type] = n
    return VisitorFigures(period, {m: months[m] for m in period.month_list}, registered, registered_before,
                          ages, codes, groups, crisis)


# --- Tables ----------------------------------------------------------------------------------------------

def who_per_month_table(v: VisitorFigures, answered: dict[Month, int], answered_total: int) -> Table:
    """`answered`: answered chats per month (report_chats), for the chats not (yet) registered."""
    def row(label, per_type, answered_chats):
        total = sum(per_type.values())
        return ([text(label)] + [count(per_type[t]) for t in VISITOR_TYPES] + [count(total)]
                + [share(per_type[t], total) for t in ("pupil", "parent")]
                + [count(max(answered_chats - total, 0))])

    rows = [row(m.label, v.months[m], answered.get(m, 0)) for m in v.period.month_list]
    rows.append(row("Totaal", v.registered, answered_total))
    return Table("who_per_month", "Wie chatte er: leerlingen, ouders, leerkrachten en anderen per maand",
                 "Zoals de chatmedewerker het na het gesprek registreerde, per maand waarin de oproep kwam; "
                 "aandelen van de geregistreerde gesprekken (nepoproepen tellen mee).",
                 ["Maand"] + [VISITOR_LABELS[t] for t in VISITOR_TYPES]
                 + ["Geregistreerd", "Aandeel leerlingen", "Aandeel ouders", "Nog niet geregistreerd"], rows)


def who_compared_table(v: VisitorFigures, label: str, previous_label: str) -> Table:
    now, before = sum(v.registered.values()), sum(v.registered_before.values())
    rows = [[text(VISITOR_LABELS[t]), count(v.registered[t]), share(v.registered[t], now),
             count(v.registered_before[t]), share(v.registered_before[t], before)] for t in VISITOR_TYPES]
    rows.append([text("Totaal"), count(now), share(now, now), count(before), share(before, before)])
    return Table("who", "Wie chatte er, naast de periode ervoor",
                 "Geregistreerde gesprekken per soort bezoeker, als aandeel van alle geregistreerde gesprekken.",
                 ["Bezoeker", label, "Aandeel", previous_label, "Aandeel ervoor"], rows)


def pupil_age_table(v: VisitorFigures, label: str, previous_label: str) -> Table:
    rows = [[text(name), measure(mean, "age", n), count(n)]
            for name, (mean, n) in ((label, v.ages["current"]), (previous_label, v.ages["previous"]))]
    return Table("pupil_age", "Gemiddelde leeftijd van de leerlingen",
                 "Gemiddelde van de leeftijd die bij leerlingen geregistreerd werd; gesprekken zonder leeftijd "
                 "tellen niet mee.", ["Periode", "Gemiddelde leeftijd", "Leerlingen met een leeftijd"], rows)


def codes_table(session, v: VisitorFigures, list_name: str, visitor_type: str) -> Table:
    """The topics or results of one visitor type's chats, most frequent first, as a share of that type's
    registered chats; the results include the chats registered as a crisis."""
    snapshot = code_lists.snapshot(session, list_name)
    labels, positions = snapshot.labels(), {o.code: o.position for o in snapshot.options}
    whole = v.registered[visitor_type]
    found = [(per_type[visitor_type], code) for (name, code), per_type in v.codes.items()
             if name == list_name and per_type[visitor_type]]
    found.sort(key=lambda item: (-item[0], positions.get(item[1], 0), item[1]))
    rows = [[text(labels.get(code, code)), count(n), share(n, whole)] for n, code in found]
    if list_name == "results" and v.crisis[visitor_type]:
        rows.append([text(CRISIS_LABEL), count(v.crisis[visitor_type]), share(v.crisis[visitor_type], whole)])
    what, title, column = (("thema's", "Thema's", "Thema") if list_name == "topics"
                           else ("resultaten", "Resultaten", "Resultaat"))
    who = VISITOR_LABELS[visitor_type].lower()
    return Table(f"{list_name}_{visitor_type}", f"{title}: {who}",
                 f"Aandeel van de geregistreerde gesprekken met {who} (nepoproepen tellen mee). "
                 + SEVERAL.format(what=what),
                 [column, "Gesprekken", "Aandeel"], rows)


def topic_groups_table(v: VisitorFigures) -> Table:
    types = [t for t in VISITOR_TYPES if v.registered[t]]
    order = list(code_lists.TOPIC_GROUPS) + [None]
    rows = [[text(code_lists.TOPIC_GROUPS.get(group, NO_GROUP))]
            + [share(v.groups.get(group, {}).get(t, 0), v.registered[t]) for t in types]
            for group in order if group in v.groups]
    return Table("topic_groups", "Thema's per CLB-begeleidingsdomein",
                 "Aandeel van de geregistreerde gesprekken van die bezoekers met minstens één thema uit het domein "
                 "(zoals het thema vandaag ingedeeld is). " + SEVERAL.format(what="domeinen"),
                 ["Domein"] + [VISITOR_LABELS[t] for t in types], rows)


def visitor_types_with_chats(v: VisitorFigures) -> list[str]:
    return [t for t in VISITOR_TYPES if v.registered[t]]

