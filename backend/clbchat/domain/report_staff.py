"""The report's figures about who answered and where chats came from: the counsellors who took part (by
discipline, network and home CLB, how many CLBs), chats per counsellor (for the coordinators only), and
chat requests per embedding site and per partner `ref`.

A counsellor took part when they owned a chat requested in the period (a `Participation` as owner: who
took it from the queue, or got it handed over); coordinators who only looked on or joined do not count.
Discipline and home CLB are as the team page has them today.
"""

from sqlalchemy import distinct, func, select

from ..models import Clb, Conversation, Participation, Site, User
from .report_period import Period
from .report_sql import seconds_between, within
from .report_tables import Cell, Table, count, measure, ratio, share, text
from .team import DISCIPLINE_LABELS

NO_CLB = "Geen thuis-CLB ingevuld"
NO_NETWORK = "Net niet ingevuld"
NO_REF = "(geen ref)"


def _owners(period: Period, tz):
    """Owner stints of chats requested in the period, as (user_id, conversation_id) rows."""
    return (select(Participation.user_id, Participation.conversation_id)
            .join(Conversation, Conversation.id == Participation.conversation_id)
            .where(within(Conversation.requested_at, list(period.bounds(tz))), Participation.role == "owner"))


def counsellor_counts(session, period: Period, tz) -> tuple[int, int, int]:
    """(counsellors who took part, their chats, chats per counsellor summed: a chat handed over counts
    for each of its owners)."""
    pairs = _owners(period, tz).distinct().subquery()
    return tuple(session.execute(select(func.count(distinct(pairs.c.user_id)),
                                        func.count(distinct(pairs.c.conversation_id)), func.count())).one())


def counsellors_table(session, period: Period, previous: Period, tz, label: str, previous_label: str) -> Table:
    rows = []
    counts = [counsellor_counts(session, p, tz) for p in (period, previous)]
    clbs = [_clbs_taking_part(session, p, tz) for p in (period, previous)]
    all_clbs = session.scalar(select(func.count()).select_from(Clb).where(Clb.active.is_(True)))
    rows.append([text("Chatmedewerkers die gesprekken voerden")] + [Cell(c[0], "count") for c in counts])
    rows.append([text("CLB's met chatmedewerkers")] + [Cell(n, "count") for n in clbs])
    rows.append([text("Actieve CLB's in de lijst (vandaag)"), Cell(all_clbs, "count"), Cell(None, "count")])
    rows.append([text("Gesprekken per chatmedewerker (gemiddeld)")]
                + [measure(c[2] / c[0] if c[0] else None, "number", c[1]) for c in counts])
    return Table("counsellors", "De chatmedewerkers",
                 "Wie als eigenaar minstens één gesprek uit de periode had (opgenomen of overgenomen); een gesprek "
                 "dat doorgegeven werd, telt bij elk van de chatmedewerkers die het had.",
                 ["Cijfer", label, previous_label], rows)


def _clbs_taking_part(session, period: Period, tz) -> int:
    owners = _owners(period, tz).subquery()
    return session.scalar(select(func.count(distinct(User.home_clb_id)))
                          .join(owners, owners.c.user_id == User.id))


def _by(session, period: Period, tz, column, order):
    owners = _owners(period, tz).subquery()
    query = (select(column, func.count(distinct(User.id))).select_from(User)
             .join(owners, owners.c.user_id == User.id).outerjoin(Clb, Clb.id == User.home_clb_id)
             .group_by(column).order_by(*order))
    return session.execute(query).all()


def by_discipline_table(session, period: Period, tz) -> Table:
    found = dict(_by(session, period, tz, User.discipline, [User.discipline]))
    total = sum(found.values())
    rows = [[text(name), Cell(found[code], "count"), ratio(found[code], total)]
            for code, name in DISCIPLINE_LABELS.items() if found.get(code)]
    return Table("counsellors_by_discipline", "Chatmedewerkers volgens discipline",
                 "Chatmedewerkers die gesprekken voerden, volgens de discipline op de teampagina.",
                 ["Discipline", "Chatmedewerkers", "Aandeel"], rows)


def by_network_table(session, period: Period, tz) -> Table:
    found = _by(session, period, tz, Clb.network, [Clb.network])
    total = sum(n for _network, n in found)
    rows = [[text(network or NO_NETWORK), Cell(n, "count"), ratio(n, total)] for network, n in found]
    return Table("counsellors_by_network", "Chatmedewerkers volgens net",
                 "Volgens het net van hun thuis-CLB (zonder thuis-CLB: 'net niet ingevuld').",
                 ["Net", "Chatmedewerkers", "Aandeel"], rows)


def by_clb_table(session, period: Period, tz) -> Table:
    found = _by(session, period, tz, Clb.name, [func.count(distinct(User.id)).desc(), Clb.name])
    rows = [[text(name or NO_CLB), Cell(n, "count")] for name, n in found]
    return Table("counsellors_by_clb", "Chatmedewerkers volgens thuis-CLB",
                 "Hoeveel chatmedewerkers van elk CLB gesprekken voerden.", ["CLB", "Chatmedewerkers"], rows)


def per_counsellor_table(session, period: Period, tz) -> Table:
    owners = _owners(period, tz).add_columns(
        seconds_between(session, Participation.left_at, Participation.joined_at).label("seconds")).subquery()
    chats = func.count(distinct(owners.c.conversation_id))
    query = (select(User.display_name, User.discipline, Clb.name, chats, func.sum(owners.c.seconds))
             .select_from(User).join(owners, owners.c.user_id == User.id).outerjoin(Clb, Clb.id == User.home_clb_id)
             .group_by(User.id, User.display_name, User.discipline, Clb.name)
             .order_by(chats.desc(), User.display_name))
    rows = [[text(name), text(DISCIPLINE_LABELS.get(discipline, discipline)), text(clb or NO_CLB), count(n),
             Cell(seconds / 3600 if seconds is not None else None, "hours")]
            for name, discipline, clb, n, seconds in session.execute(query)]
    return Table("per_counsellor", "Gesprekken per chatmedewerker (alleen voor coördinatoren)",
                 "Gesprekken uit de periode die de chatmedewerker als eigenaar had, en de tijd dat ze die hadden "
                 "(van opnemen of overnemen tot doorgeven of einde); niet in de afgedrukte versie.",
                 ["Chatmedewerker", "Discipline", "Thuis-CLB", "Gesprekken", "Uren in gesprek"], rows,
                 screen_only=True)


# --- Where chats came from ------------------------------------------------------------------------------

def _origins(session, period: Period, tz, column, label_of, key: str, title: str, explanation: str,
             heading: str) -> Table:
    c = Conversation
    query = (select(column, func.count(), func.count(c.picked_up_at)).select_from(c).join(Site, Site.id == c.site_id)
             .where(within(c.requested_at, list(period.bounds(tz))))
             .group_by(column).order_by(func.count().desc(), column))
    rows = [[text(label_of(value)), count(requests), count(answered), share(answered, requests)]
            for value, requests, answered in session.execute(query)]
    return Table(key, title, explanation, [heading, "Oproepen", "Beantwoord", "Aandeel beantwoord"], rows)


def sites_table(session, period: Period, tz) -> Table:
    return _origins(session, period, tz, Site.name, lambda name: name, "sites", "Oproepen per site",
                    "Op welke website (met de chatknop) de bezoeker de chat opende.", "Site")


def refs_table(session, period: Period, tz) -> Table:
    return _origins(session, period, tz, Conversation.ref, lambda ref: ref or NO_REF, "refs",
                    "Oproepen per partner (ref)",
                    "De 'ref' die een partner aan de chatknop meegaf (bijvoorbeeld een campagne of schoolsite).",
                    "Ref")
