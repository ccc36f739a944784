"""The report's figures about chat requests: how many, how many answered, what became of the others,
per month and per opening day; waiting time before pick-up and chat duration.

A chat request ("oproep") is every conversation a visitor asked for, also those turned away because the
queue was full. It is answered when a counsellor picked it up (`picked_up_at`), whatever happened after;
"abandoned" ones (the visitor vanished: quick exit, or gone past the grace period) are answered ones that
ended early from the visitor's side. A request belongs to the local month it was made in.
"""

from dataclasses import dataclass, field, fields
from fractions import Fraction

from sqlalchemy import func, select

from ..models import Conversation
from .report_period import Month, Period
from .report_sql import bucket, flag, percentiles, seconds_between, within
from .report_tables import Cell, Table, change, count, measure, points, share, text

MEDIAN, P90 = Fraction(1, 2), Fraction(9, 10)
WITHIN_SECONDS = 60
LONG_MINUTES = (45, 50)


@dataclass
class ChatCounts:
    requests: int = 0
    answered: int = 0
    abandoned: int = 0
    left_waiting: int = 0
    turned_away: int = 0
    still_open: int = 0  # not ended yet (waiting, or in a chat) when the report was made
    waits: int = 0  # answered chats with a waiting time
    wait_total: float = 0.0
    within_minute: int = 0
    durations: int = 0  # answered chats that ended
    duration_total: float = 0.0
    over_45: int = 0
    over_50: int = 0
    opening_days: int = 0
    # Medians and percentiles cannot be summed: filled from their own query.
    wait_median: float | None = field(default=None, compare=False)
    wait_p90: float | None = field(default=None, compare=False)
    duration_median: float | None = field(default=None, compare=False)

    def add(self, other: "ChatCounts") -> None:
        for f in fields(self):
            if not f.name.endswith(("_median", "_p90")):
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class ChatFigures:
    period: Period
    months: dict[Month, ChatCounts]  # the period's months and those of the period before
    current: ChatCounts
    previous: ChatCounts

    def month_pairs(self) -> list[tuple[Month, ChatCounts, Month, ChatCounts]]:
        """Each month of the period with the same month of the period before."""
        shift = self.period.months
        return [(m, self.months[m], m.plus(-shift), self.months[m.plus(-shift)]) for m in self.period.month_list]


def chat_figures(session, period: Period, tz, opening_dates) -> ChatFigures:
    """Counts and times per month, for the period and the period before: one query grouped by month, and
    four for the medians and percentiles (per month, and per period)."""
    window = period.previous().month_list + period.month_list
    bounds = [m.start(tz) for m in window] + [period.bounds(tz)[1]]
    periods = [bounds[0], period.bounds(tz)[0], bounds[-1]]
    c = Conversation
    wait = seconds_between(session, c.picked_up_at, c.requested_at)
    duration = seconds_between(session, c.ended_at, c.picked_up_at)
    rows = select(bucket(c.requested_at, bounds).label("m"), c.picked_up_at, c.outcome,
                  wait.label("wait"), duration.label("duration")).where(within(c.requested_at, bounds)).subquery()
    query = select(rows.c.m, func.count(), func.count(rows.c.picked_up_at),
                   func.sum(flag(rows.c.outcome == "abandoned")), func.sum(flag(rows.c.outcome == "left_waiting")),
                   func.sum(flag(rows.c.outcome == "turned_away")), func.sum(flag(rows.c.outcome.is_(None))),
                   func.count(rows.c.wait), func.sum(rows.c.wait), func.sum(flag(rows.c.wait <= WITHIN_SECONDS)),
                   func.count(rows.c.duration), func.sum(rows.c.duration),
                   func.sum(flag(rows.c.duration > LONG_MINUTES[0] * 60)),
                   func.sum(flag(rows.c.duration > LONG_MINUTES[1] * 60))).group_by(rows.c.m)
    months = {m: ChatCounts() for m in window}
    for index, *values in session.execute(query):
        months[window[index]] = ChatCounts(*(v or 0 for v in values))
    for day in set(opening_dates):
        month = Month(day.year, day.month)
        if month in months:
            months[month].opening_days += 1
    where = [within(c.requested_at, bounds)]
    for name, value, wanted in (("wait", wait, (MEDIAN, P90)), ("duration", duration, (MEDIAN,))):
        for key, found in percentiles(session, value, where, wanted, bucket(c.requested_at, bounds)).items():
            _set_percentiles(months[window[key]], name, found)
    totals = [ChatCounts(), ChatCounts()]
    for i, month in enumerate(window):
        totals[i // period.months].add(months[month])
    for name, value, wanted in (("wait", wait, (MEDIAN, P90)), ("duration", duration, (MEDIAN,))):
        for key, found in percentiles(session, value, where, wanted, bucket(c.requested_at, periods)).items():
            _set_percentiles(totals[key], name, found)
    return ChatFigures(period, months, current=totals[1], previous=totals[0])


def _set_percentiles(counts: ChatCounts, name: str, found: dict) -> None:
    setattr(counts, f"{name}_median", found.get(MEDIAN))
    if P90 in found:
        setattr(counts, f"{name}_p90", found[P90])


def _mean_seconds(total: float, n: int) -> Cell:
    return measure(total / n if n else None, "seconds", n)


def _mean_minutes(total_seconds: float, n: int) -> Cell:
    return measure(total_seconds / n / 60 if n else None, "minutes", n)


def _per_day(chats: int, days: int) -> Cell:
    return Cell(chats / days if days else None, "number", n=chats)


# --- Tables ----------------------------------------------------------------------------------------------

ANSWERED = "Beantwoord = een chatmedewerker nam het gesprek op, ook als de bezoeker daarna vroeg wegging."
OPENING_DAY = "een openingsdag is een dag waarop de chat volgens de openingsuren open was"


def overview_table(f: ChatFigures, label: str, previous_label: str) -> Table:
    rows = []
    for name, kind, get in (
        ("Chatoproepen", "count", lambda t: t.requests),
        ("Beantwoorde gesprekken", "count", lambda t: t.answered),
        ("Aandeel beantwoord", "share", lambda t: (t.answered, t.requests)),
        ("Openingsdagen", "days", lambda t: t.opening_days),
        ("Gesprekken per openingsdag", "per_day", lambda t: (t.answered, t.opening_days)),
        ("Oproepen per openingsdag", "per_day", lambda t: (t.requests, t.opening_days)),
        ("Gemiddelde wachttijd", "wait", lambda t: (t.wait_total, t.waits)),
        ("Gemiddelde gespreksduur", "duration", lambda t: (t.duration_total, t.durations)),
    ):
        now, before = (_overview_cell(kind, get(t)) for t in (f.current, f.previous))
        difference = points(now, before) if kind == "share" else change(now, before)
        rows.append([text(name), now, before, difference])
    return Table("overview", "Totaalbeeld", "Een chatoproep is elke vraag om te chatten, ook wie geweigerd werd of "
                 f"wegging. {ANSWERED} Per openingsdag: gedeeld door het aantal openingsdagen ({OPENING_DAY}).",
                 ["Cijfer", label, previous_label, "Verschil"], rows)


def _overview_cell(kind: str, value) -> Cell:
    match kind:
        case "count":
            return count(value)
        case "share":
            return share(*value)
        case "days":
            return Cell(value, "count")
        case "per_day":
            return _per_day(*value)
        case "wait":
            return _mean_seconds(*value)
        case _:
            return _mean_minutes(*value)


def requests_per_month_table(f: ChatFigures) -> Table:
    rows = [[text(m.label), count(t.requests), count(t.answered), Cell(t.opening_days, "count"),
             _per_day(t.requests, t.opening_days), _per_day(t.answered, t.opening_days)]
            for m, t, _pm, _pt in f.month_pairs()]
    t = f.current
    rows.append([text("Totaal"), count(t.requests), count(t.answered), Cell(t.opening_days, "count"),
                 _per_day(t.requests, t.opening_days), _per_day(t.answered, t.opening_days)])
    return Table("requests_per_month", "Chatoproepen en gesprekken per maand",
                 f"Per maand waarin de oproep kwam (Belgische tijd). {ANSWERED} Per openingsdag: gedeeld door de "
                 f"openingsdagen van die maand ({OPENING_DAY}).",
                 ["Maand", "Oproepen", "Beantwoord", "Openingsdagen", "Oproepen per openingsdag",
                  "Gesprekken per openingsdag"], rows)


def answered_share_table(f: ChatFigures) -> Table:
    rows = []
    for m, t, pm, pt in f.month_pairs() + [(None, f.current, None, f.previous)]:
        now, before = share(t.answered, t.requests), share(pt.answered, pt.requests)
        rows.append([text(m.label if m else "Totaal"), now, text(pm.label if pm else "Totaal"), before,
                     points(now, before)])
    return Table("answered_share", "Percentage beantwoorde oproepen per maand, naast de periode ervoor",
                 f"Beantwoorde gesprekken gedeeld door alle chatoproepen van die maand. {ANSWERED} "
                 "Verschil in procentpunten.",
                 ["Maand", "Beantwoord", "Maand ervoor", "Beantwoord ervoor", "Verschil"], rows)


def outcomes_table(f: ChatFigures, label: str, previous_label: str) -> Table:
    rows = []
    for name, get, of in (
        ("Beantwoord", lambda t: t.answered, "requests"),
        ("waarvan vroegtijdig afgebroken door de bezoeker", lambda t: t.abandoned, "answered"),
        ("Weggegaan tijdens het wachten", lambda t: t.left_waiting, "requests"),
        ("Geweigerd: wachtrij vol (te druk)", lambda t: t.turned_away, "requests"),
        ("Nog bezig", lambda t: t.still_open, "requests"),
    ):
        rows.append([text(name)] + [cell for t in (f.current, f.previous)
                                    for cell in (count(get(t)), share(get(t), getattr(t, of)))])
    return Table("outcomes", "Wat werd er van de chatoproepen",
                 "Aandeel van alle chatoproepen; 'vroegtijdig afgebroken' als aandeel van de beantwoorde gesprekken "
                 "(de bezoeker sloot de chat snel af of zijn verbinding viel weg). Geweigerd: de wachtrij zat vol.",
                 ["Uitkomst", f"Aantal {label}", "Aandeel", f"Aantal {previous_label}", "Aandeel ervoor"], rows)


def outcomes_per_month_table(f: ChatFigures) -> Table:
    rows = [[text(m.label), count(t.requests), count(t.answered), count(t.abandoned), count(t.left_waiting),
             count(t.turned_away)] for m, t, _pm, _pt in f.month_pairs()]
    return Table("outcomes_per_month", "Uitkomst per maand",
                 "Aantallen per maand waarin de oproep kwam; afgebroken gesprekken zijn beantwoord en tellen ook "
                 "bij 'Beantwoord'.",
                 ["Maand", "Oproepen", "Beantwoord", "Vroegtijdig afgebroken", "Weggegaan tijdens het wachten",
                  "Geweigerd (te druk)"], rows)


def waiting_table(f: ChatFigures) -> Table:
    def row(label, t):
        return [text(label), count(t.waits), _mean_seconds(t.wait_total, t.waits),
                measure(t.wait_median, "seconds", t.waits), measure(t.wait_p90, "seconds", t.waits),
                share(t.within_minute, t.waits)]

    rows = [row(m.label, t) for m, t, _pm, _pt in f.month_pairs()]
    rows += [row("Totaal", f.current), row("Periode ervoor", f.previous)]
    return Table("waiting", "Wachttijd tot een chatmedewerker opneemt",
                 "Van de oproep tot de eerste chatmedewerker het gesprek opnam, over de beantwoorde gesprekken; "
                 "90e percentiel: 9 op 10 wachtten niet langer.",
                 ["Maand", "Gesprekken", "Gemiddeld", "Mediaan", "90e percentiel", "Binnen de minuut"], rows)


def duration_table(f: ChatFigures) -> Table:
    def row(label, t):
        return [text(label), count(t.durations), _mean_minutes(t.duration_total, t.durations),
                measure(t.duration_median / 60 if t.duration_median is not None else None, "minutes", t.durations),
                share(t.over_45, t.durations), share(t.over_50, t.durations)]

    rows = [row(m.label, t) for m, t, _pm, _pt in f.month_pairs()]
    rows += [row("Totaal", f.current), row("Periode ervoor", f.previous)]
    return Table("duration", "Gespreksduur",
                 f"Van het opnemen tot het einde van het gesprek, over de beantwoorde gesprekken die afgelopen zijn; "
                 f"we mikken op hoogstens {LONG_MINUTES[0]} minuten.",
                 ["Maand", "Gesprekken", "Gemiddeld", "Mediaan", f"Langer dan {LONG_MINUTES[0]} min",
                  f"Langer dan {LONG_MINUTES[1]} min"], rows)
