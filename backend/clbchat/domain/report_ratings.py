"""The report's figures about ratings: per visitor type the mean stars, the spread over 1-5 and the share
of chats rated; and the rating comments of the period that still exist (the retention purge deletes
them with the transcript), with the chat's visitor type, age and first topic, for quoting.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..models import CodeOption, Conversation, Registration, RegistrationCode
from ..models.registration import VISITOR_TYPES
from .report_period import Period
from .report_sql import bucket, flag, within
from .report_tables import Cell, Table, count, measure, share, text
from .report_visitors import VISITOR_LABELS, VISITOR_SINGULAR

UNREGISTERED = "unregistered"
TYPES = VISITOR_TYPES + (UNREGISTERED,)
LABELS = {**VISITOR_LABELS, UNREGISTERED: "Niet geregistreerd"}
STARS = (1, 2, 3, 4, 5)


@dataclass
class RatingCounts:
    answered: int = 0  # answered chats that ended (only those can be rated)
    rated: int = 0
    stars_total: int = 0
    spread: tuple[int, ...] = (0, 0, 0, 0, 0)  # how many gave 1, 2, 3, 4, 5 stars

    def add(self, other: "RatingCounts") -> "RatingCounts":
        return RatingCounts(self.answered + other.answered, self.rated + other.rated,
                            self.stars_total + other.stars_total,
                            tuple(a + b for a, b in zip(self.spread, other.spread, strict=True)))


def rating_figures(session, period: Period, tz) -> dict[str, tuple[RatingCounts, RatingCounts]]:
    """Per visitor type (and UNREGISTERED): (the period, the period before)."""
    start, end = period.bounds(tz)
    bounds = [period.previous().bounds(tz)[0], start, end]
    c, r = Conversation, Registration
    half = bucket(c.requested_at, bounds)
    visitor_type = func.coalesce(r.visitor_type, UNREGISTERED)
    query = (select(half, visitor_type, func.count(), func.count(c.rating_stars), func.sum(c.rating_stars),
                    *(func.sum(flag(c.rating_stars == n)) for n in STARS))
             .outerjoin(r, r.conversation_id == c.id)
             .where(within(c.requested_at, bounds), c.picked_up_at.is_not(None), c.ended_at.is_not(None))
             .group_by(half, visitor_type))
    found = {t: [RatingCounts(), RatingCounts()] for t in TYPES}
    for index, kind, answered, rated, total, *spread in session.execute(query):
        found[kind][index] = RatingCounts(answered, rated, total or 0, tuple(n or 0 for n in spread))
    return {t: (now, before) for t, (before, now) in found.items()}


def ratings_table(figures: dict[str, tuple[RatingCounts, RatingCounts]]) -> Table:
    def row(label, now: RatingCounts, before: RatingCounts):
        return ([text(label), count(now.answered), share(now.rated, now.answered),
                 _mean(now), _mean(before)] + [count(n) for n in now.spread]
                + [share(now.spread[3] + now.spread[4], now.rated)])

    rows = [row(LABELS[t], *figures[t]) for t in TYPES if figures[t][0].answered or figures[t][1].answered]
    total_now, total_before = RatingCounts(), RatingCounts()
    for now, before in figures.values():
        total_now, total_before = total_now.add(now), total_before.add(before)
    rows.append(row("Alle", total_now, total_before))
    return Table("ratings", "Beoordeling door de bezoekers",
                 "Sterren (1-5) die bezoekers na een beantwoord gesprek gaven, per soort bezoeker zoals geregistreerd; "
                 "'beoordeeld' is het aandeel van de afgelopen beantwoorde gesprekken met een beoordeling "
                 "(wie vroeg weggaat, krijgt de vraag niet).",
                 ["Bezoeker", "Gesprekken", "Beoordeeld", "Gemiddeld (sterren)", "Gemiddeld ervoor"]
                 + [f"{n} ster{'ren' if n > 1 else ''}" for n in STARS] + ["4 of 5 sterren"], rows)


def _mean(counts: RatingCounts) -> Cell:
    return measure(counts.stars_total / counts.rated if counts.rated else None, "stars", counts.rated)


def comments_table(session, period: Period, tz) -> Table:
    """The comments themselves: text from visitors, shown as text. Only those not yet purged."""
    start, end = period.bounds(tz)
    c, r = Conversation, Registration
    first_topic = (select(CodeOption.label)
                   .join(RegistrationCode, (RegistrationCode.list_name == CodeOption.list_name)
                         & (RegistrationCode.code == CodeOption.code))
                   .where(RegistrationCode.conversation_id == c.id, RegistrationCode.list_name == "topics")
                   .order_by(CodeOption.position, CodeOption.code).limit(1).scalar_subquery())
    rows = []
    for requested_at, stars, comment, visitor_type, age, topic in session.execute(
            select(c.requested_at, c.rating_stars, c.rating_comment, r.visitor_type, r.age, first_topic)
            .outerjoin(r, r.conversation_id == c.id)
            .where(within(c.requested_at, [start, end]), c.rating_comment.is_not(None))
            .order_by(c.requested_at, c.id)):
        rows.append([text(requested_at.astimezone(tz).strftime("%d-%m-%Y")), Cell(stars, "count"),
                     text(VISITOR_SINGULAR.get(visitor_type, "Niet geregistreerd")),
                     text(f"{age} jaar" if age is not None else "onbekend"), text(topic or "—"), text(comment)])
    return Table("comments", "Opmerkingen bij de beoordeling",
                 "Wat bezoekers bij hun sterren schreven, met wie ze waren, hun leeftijd en het eerste "
                 "geregistreerde thema; opmerkingen worden met het gesprek gewist na de bewaartermijn, dus "
                 "alleen die van de laatste weken staan hier.",
                 ["Datum", "Sterren", "Bezoeker", "Leeftijd", "Eerste thema", "Opmerking"], rows)
