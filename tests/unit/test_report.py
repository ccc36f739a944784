"""The annual report's figures on a small hand-made data set (tests/report_data.py), every answer worked
out by hand below; months in Brussels time across their UTC boundaries; the suicide trend across a
renamed and regrouped option; the purge; the "< 5" rule of the printable version; the period a
coordinator asks for; opening days from the current schedule."""

import random
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from clbchat.domain import report, report_chats
from clbchat.domain.errors import DomainError
from clbchat.domain.report_period import Month, month_range, parse_period, school_year
from clbchat.domain.report_sql import bucket, percentiles, seconds_between, within
from clbchat.domain.report_tables import Cell, count, measure, share, show
from clbchat.domain.retention import purge_transcripts
from clbchat.models import Conversation, Site

from .. import report_data

TZ = ZoneInfo("Europe/Brussels")
YEAR = school_year(2025)  # 2025-2026; the period before is 2024-2025
NOW = datetime(2026, 9, 15, tzinfo=UTC)


@pytest.fixture
def data(session, site):
    return report_data.build(session)


@pytest.fixture
def built(session, data) -> report.Report:
    return report.build(session, YEAR, TZ, report_data.OPENING_DATES)


def values(table, label=None):
    """The table's raw values (or one row's, by its first cell), floats rounded for comparing."""
    rows = [table.row(label)] if label is not None else table.rows
    found = [[round(c.value, 6) if isinstance(c.value, float) else c.value for c in row] for row in rows]
    return found[0] if label is not None else found


def r(x):
    return round(x, 6)


# --- Requests, answered, outcomes, opening days ----------------------------------------------------------

def test_requests_and_answered_chats_per_month_and_per_opening_day(built):
    table = built.table("requests_per_month")
    assert len(table.rows) == 13  # twelve months and the total
    # September: c1 (1 September 00:30 in Brussels), c2, c3 (left), c4 (turned away); 3 opening days.
    assert values(table, "september 2025") == ["september 2025", 4, 2, 3, r(4 / 3), r(2 / 3)]
    # October: c5 (1 October 00:30 in Brussels), c6 (abandoned, still answered), c7; 2 opening days.
    assert values(table, "oktober 2025") == ["oktober 2025", 3, 3, 2, 1.5, 1.5]
    assert values(table, "november 2025") == ["november 2025", 0, 0, 0, None, None]
    assert values(table, "februari 2026") == ["februari 2026", 1, 1, 1, 1.0, 1.0]
    assert values(table, "Totaal") == ["Totaal", 8, 6, 6, r(8 / 6), 1.0]


def test_overview_next_to_the_year_before(built):
    table = built.table("overview")
    assert table.columns == ["Cijfer", "schooljaar 2025-2026", "schooljaar 2024-2025", "Verschil"]
    # 2024-2025: p1, p2 (left), p3; two opening days (12 September 2024, 31 August 2025).
    assert values(table, "Chatoproepen") == ["Chatoproepen", 8, 3, r(8 / 3 - 1)]
    assert values(table, "Beantwoorde gesprekken") == ["Beantwoorde gesprekken", 6, 2, 2.0]
    assert values(table, "Aandeel beantwoord") == ["Aandeel beantwoord", 0.75, r(2 / 3), r(0.75 - 2 / 3)]
    assert values(table, "Openingsdagen")[1:3] == [6, 2]
    assert values(table, "Gesprekken per openingsdag") == ["Gesprekken per openingsdag", 1.0, 1.0, 0.0]
    assert values(table, "Gemiddelde wachttijd")[1:3] == [r(560 / 6), 55.0]
    assert values(table, "Gemiddelde gespreksduur")[1:3] == [r(10200 / 6 / 60), 20.0]


def test_answered_share_per_month_next_to_the_same_month_a_year_before(built):
    table = built.table("answered_share")
    assert values(table, "september 2025") == ["september 2025", 0.5, "september 2024", 0.5, 0.0]
    assert values(table, "oktober 2025") == ["oktober 2025", 1.0, "oktober 2024", None, None]
    assert values(table, "augustus 2026") == ["augustus 2026", None, "augustus 2025", 1.0, None]
    assert values(table)[-1] == ["Totaal", 0.75, "Totaal", r(2 / 3), r(0.75 - 2 / 3)]


def test_what_became_of_the_requests(built):
    table = built.table("outcomes")
    assert values(table) == [
        ["Beantwoord", 6, 0.75, 2, r(2 / 3)],
        ["waarvan vroegtijdig afgebroken door de bezoeker", 1, r(1 / 6), 0, 0.0],
        ["Weggegaan tijdens het wachten", 1, 0.125, 1, r(1 / 3)],
        ["Geweigerd: wachtrij vol (te druk)", 1, 0.125, 0, 0.0],
        ["Nog bezig", 0, 0.0, 0, 0.0],
    ]
    per_month = built.table("outcomes_per_month")
    assert values(per_month, "september 2025") == ["september 2025", 4, 2, 0, 1, 1]
    assert values(per_month, "oktober 2025") == ["oktober 2025", 3, 3, 1, 0, 0]


def test_months_are_brussels_months_across_their_utc_boundaries(session, data):
    def requests(first: Month, last: Month) -> int:
        return report_chats.chat_figures(session, month_range(first, last), TZ, []).current.requests

    # 31 August 2025 21:59 UTC is 23:59 in Brussels (August); 22:30 UTC is 00:30 on 1 September.
    assert requests(Month(2025, 8), Month(2025, 8)) == 1  # p1
    assert requests(Month(2025, 9), Month(2025, 9)) == 4  # c1 .. c4, with c4 at 23:30 on 30 September
    assert requests(Month(2025, 10), Month(2025, 10)) == 3  # c5 at 00:30 on 1 October
    # In winter Brussels is UTC+1: 31 January 23:30 UTC is 1 February 00:30.
    assert requests(Month(2026, 1), Month(2026, 1)) == 0
    assert requests(Month(2026, 2), Month(2026, 2)) == 1
    assert Month(2026, 2).start(TZ) == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert Month(2025, 9).start(TZ) == datetime(2025, 8, 31, 22, 0, tzinfo=UTC)


# --- Waiting time and duration ---------------------------------------------------------------------------

def test_waiting_time_before_pick_up_per_month(built):
    table = built.table("waiting")
    # September: 30 and 60 s (60 is within the minute); the 90th percentile lies at 0.9 between them.
    assert values(table, "september 2025") == ["september 2025", 2, 45.0, 45.0, 57.0, 1.0]
    # October: 10, 120, 300 s.
    assert values(table, "oktober 2025") == ["oktober 2025", 3, r(430 / 3), 120.0, 264.0, r(1 / 3)]
    assert values(table, "november 2025") == ["november 2025", 0, None, None, None, None]
    # The year: 10, 30, 40, 60, 120, 300 s; median halfway 40-60, 90th percentile halfway 120-300.
    assert values(table, "Totaal") == ["Totaal", 6, r(560 / 6), 50.0, 210.0, r(4 / 6)]
    assert values(table, "Periode ervoor") == ["Periode ervoor", 2, 55.0, 55.0, 83.0, 0.5]


def test_duration_per_month(built):
    table = built.table("duration")
    # September: 20 and 50 min (50 is over 45, not over 50).
    assert values(table, "september 2025") == ["september 2025", 2, 35.0, 35.0, 0.5, 0.0]
    # October: 10, 55 (the abandoned chat), 5 min.
    assert values(table, "oktober 2025") == ["oktober 2025", 3, r(70 / 3), 10.0, r(1 / 3), r(1 / 3)]
    # The year: 5, 10, 20, 30, 50, 55 min.
    assert values(table, "Totaal") == ["Totaal", 6, r(170 / 6), 25.0, r(2 / 6), r(1 / 6)]
    assert values(table, "Periode ervoor") == ["Periode ervoor", 2, 20.0, 20.0, 0.0, 0.0]


def test_percentiles_agree_with_a_sort_in_python(session, site):
    """Many values, ties included, over two months: the window-function percentiles equal sorting."""
    rng = random.Random(7)
    start = datetime(2025, 9, 1, 12, tzinfo=UTC)
    waits = {0: [rng.choice([5, 5, 17, 33, 60, 61, 240]) + rng.randrange(100) for _ in range(37)],
             1: [rng.randrange(1, 900) for _ in range(20)]}
    for month, month_waits in waits.items():
        for i, wait in enumerate(month_waits):
            requested = start + timedelta(days=31 * month, minutes=i)
            session.add(Conversation(site_id=site.id, requested_at=requested, status="ended", outcome="answered",
                                     picked_up_at=requested + timedelta(seconds=wait), ended_at=requested
                                     + timedelta(hours=1)))
    session.commit()
    bounds = [Month(2025, 9).start(TZ), Month(2025, 10).start(TZ), Month(2025, 11).start(TZ)]
    wait = seconds_between(session, Conversation.picked_up_at, Conversation.requested_at)
    wanted = (Fraction(1, 2), Fraction(9, 10), Fraction(1, 4))
    found = percentiles(session, wait, [within(Conversation.requested_at, bounds)], wanted,
                        bucket(Conversation.requested_at, bounds))
    overall = percentiles(session, wait, [within(Conversation.requested_at, bounds)], wanted)
    for key, month_waits in [*waits.items(), (None, waits[0] + waits[1])]:
        ordered = sorted(month_waits)
        for fraction in wanted:
            position = (len(ordered) - 1) * fraction
            low = int(position)
            expected = ordered[low] + float(position - low) * (ordered[min(low + 1, len(ordered) - 1)] - ordered[low])
            assert (found[key] if key is not None else overall[None])[fraction] == pytest.approx(expected)


# --- Pranks, crisis, hand-overs --------------------------------------------------------------------------

def test_pranks_crisis_and_hand_overs(built):
    # Registered in 2025-2026: c1, c2, c5, c6 (a prank), c8; c7 was never registered.
    assert values(built.table("pranks")) == [["schooljaar 2025-2026", 5, 1, 0.2], ["schooljaar 2024-2025", 2, 0, 0.0]]
    # c2 registered as a crisis; c7 marked as one during the chat (and never registered).
    assert values(built.table("crisis")) == [["schooljaar 2025-2026", 1, 0.2, 1], ["schooljaar 2024-2025", 0, 0.0, 0]]
    # c5 was handed over (accepted); c7's declined offer does not count.
    assert values(built.table("handovers")) == [["schooljaar 2025-2026", 6, 1, r(1 / 6)],
                                                ["schooljaar 2024-2025", 2, 0, 0.0]]


# --- Who chatted, topics and results ---------------------------------------------------------------------

def test_who_chatted_per_month_and_the_pupils_age(built):
    table = built.table("who_per_month")
    assert table.columns[1:5] == ["Leerlingen", "Ouders", "Leerkrachten", "Anderen"]
    assert values(table, "september 2025") == ["september 2025", 2, 0, 0, 0, 2, 1.0, 0.0, 0]
    assert values(table, "oktober 2025") == ["oktober 2025", 1, 1, 0, 0, 2, 0.5, 0.5, 1]  # c7 not registered
    assert values(table, "Totaal") == ["Totaal", 4, 1, 0, 0, 5, 0.8, 0.2, 1]
    assert values(built.table("who"), "Leerlingen") == ["Leerlingen", 4, 0.8, 2, 1.0]
    # Pupils with an age: 14, 16, 12 (the prank has none); the year before 15 and 17.
    assert values(built.table("pupil_age")) == [["schooljaar 2025-2026", 14.0, 3], ["schooljaar 2024-2025", 16.0, 2]]


def test_topics_and_results_per_visitor_type_as_a_share_of_that_types_chats(built):
    # Four pupils' chats (c1, c2, c6, c8); c2 had two topics: the shares add up to more than 100 %.
    assert values(built.table("topics_pupil")) == [["Zelfmoordgedachten", 2, 0.5], ["Studiekeuze", 1, 0.25],
                                                   ["Thuis en gezin", 1, 0.25]]
    assert values(built.table("results_pupil")) == [
        ["Emotionele ondersteuning", 2, 0.5], ["Informatie en advies", 1, 0.25],
        ["Doorverwijzing naar andere partners", 1, 0.25], ["Crisissituatie", 1, 0.25]]
    assert values(built.table("topics_parent")) == [["Studiekeuze", 1, 1.0]]
    assert values(built.table("results_parent")) == [["Informatie en advies", 1, 1.0],
                                                      ["Doorverwijzing naar het CLB", 1, 1.0]]
    assert "meerdere" in built.table("topics_pupil").explanation
    with pytest.raises(KeyError):
        built.table("topics_teacher")  # no teacher chatted
    assert values(built.table("topic_groups")) == [["Onderwijsloopbaan", 0.25, 1.0],
                                                   ["Psychisch en sociaal functioneren", 0.5, 0.0]]


# --- Ratings ----------------------------------------------------------------------------------------------

def test_ratings_per_visitor_type(built):
    table = built.table("ratings")
    # Pupils: c1 5, c2 4, c6 none, c8 3; the year before p1 4 (p3 none).
    assert values(table, "Leerlingen") == ["Leerlingen", 4, 0.75, 4.0, 4.0, 0, 0, 1, 1, 1, r(2 / 3)]
    assert values(table, "Ouders") == ["Ouders", 1, 1.0, 5.0, None, 0, 0, 0, 0, 1, 1.0]
    assert values(table, "Niet geregistreerd") == ["Niet geregistreerd", 1, 1.0, 2.0, None, 0, 1, 0, 0, 0, 0.0]
    assert values(table, "Alle") == ["Alle", 6, r(5 / 6), 3.8, 4.0, 0, 1, 1, 1, 2, 0.6]


def test_rating_comments_with_visitor_type_age_and_first_topic(built):
    # p1's comment is from the year before; c2's first topic (by list order) would be 'Thuis en gezin'.
    assert values(built.table("comments")) == [
        ["01-09-2025", 5, "Leerling", "14 jaar", "Studiekeuze", "Super geholpen, dankjewel!"],
        ["01-10-2025", 5, "Ouder", "onbekend", "Studiekeuze", "Duidelijke info"],
        ["01-02-2026", 3, "Leerling", "12 jaar", "Zelfmoordgedachten", "Oké <b>niet vet</b>"],
    ]


# --- Suicide as a topic -------------------------------------------------------------------------------

SUICIDE_ROWS = [
    ["2023-2024", 3, 1, r(1 / 3), None, None, None],
    ["2024-2025", 2, 1, 0.5, 0.0, r(0.5 - 1 / 3), 0.5],
    ["2025-2026 (deze periode)", 5, 2, 0.4, 1.0, -0.1, -0.2],
]


def test_suicide_per_school_year_with_the_change_on_the_year_before(built):
    assert values(built.table("suicide")) == SUICIDE_ROWS


def test_a_renamed_and_regrouped_suicide_topic_still_counts(session, data):
    report_data.rename_suicide_topic(session, NOW)
    built = report.build(session, YEAR, TZ, report_data.OPENING_DATES)
    assert values(built.table("suicide")) == SUICIDE_ROWS
    assert "'Gedachten aan zelfdoding'" in built.table("suicide").explanation
    assert values(built.table("topics_pupil"))[0] == ["Gedachten aan zelfdoding", 2, 0.5]
    # Domains follow today's grouping: c2 and c8 now have a health topic; c2 still its family one.
    assert values(built.table("topic_groups")) == [["Onderwijsloopbaan", 0.25, 1.0],
                                                   ["Psychisch en sociaal functioneren", 0.25, 0.0],
                                                   ["Preventieve gezondheidszorg", 0.5, 0.0]]


# --- Counsellors and origins ------------------------------------------------------------------------------

def test_counsellors_by_discipline_network_and_clb(built):
    # Lies owned c1, c5 (then handed it to Tom), c7, c8; Tom c2, c5, c6. Three CLBs, two take part.
    assert values(built.table("counsellors")) == [
        ["Chatmedewerkers die gesprekken voerden", 2, 2], ["CLB's met chatmedewerkers", 2, 2],
        ["Actieve CLB's in de lijst (vandaag)", 3, None], ["Gesprekken per chatmedewerker (gemiddeld)", 3.5, 1.0]]
    assert values(built.table("counsellors_by_discipline")) == [["Maatschappelijk werker", 1, 0.5],
                                                                ["Verpleegkundige", 1, 0.5]]
    assert values(built.table("counsellors_by_network")) == [["GO!", 1, 0.5], ["Vrij CLB Netwerk", 1, 0.5]]
    assert values(built.table("counsellors_by_clb")) == [["CLB Noord", 1], ["CLB Zuid", 1]]
    per_counsellor = built.table("per_counsellor")
    assert per_counsellor.screen_only
    # Hours: Lies 20 + 5 (half of c5) + 5 + 30 min; Tom 50 + 5 + 55 min.
    assert values(per_counsellor) == [["Lies", "Maatschappelijk werker", "CLB Noord", 4, 1.0],
                                      ["Tom", "Verpleegkundige", "CLB Zuid", 3, r(110 / 60)]]


def test_where_chats_came_from(built):
    assert values(built.table("sites")) == [["Testschool", 6, 5, r(5 / 6)], ["Partnersite", 2, 1, 0.5]]
    assert values(built.table("refs")) == [["(geen ref)", 6, 4, r(4 / 6)], ["campagne", 2, 2, 1.0]]


# --- Retention, an empty period ---------------------------------------------------------------------------

def test_the_purge_leaves_every_figure_but_the_comments(session, built):
    purge_transcripts(session, timedelta(days=30), NOW)
    session.commit()
    after = report.build(session, YEAR, TZ, report_data.OPENING_DATES)
    for table in built.tables:
        if table.key != "comments":
            assert values(after.table(table.key)) == values(table), table.key
    assert after.table("comments").rows == []


def test_a_period_without_chats_reports_nothing_and_does_not_fail(session, data):
    site_id = session.scalar(select(Site.id).where(Site.slug == "school"))
    still_waiting = datetime(2027, 3, 3, 17, tzinfo=UTC)
    session.add(Conversation(site_id=site_id, requested_at=still_waiting, status="waiting"))
    session.commit()
    empty = report.build(session, month_range(Month(2030, 1), Month(2030, 3)), TZ, [])
    assert empty.requests == 0
    assert values(empty.table("overview"), "Aandeel beantwoord") == ["Aandeel beantwoord", None, None, None]
    assert values(empty.table("ratings")) == [["Alle", 0, None, None, None, 0, 0, 0, 0, 0, None]]
    waiting = report.build(session, month_range(Month(2027, 3), Month(2027, 3)), TZ, [])
    assert values(waiting.table("outcomes"), "Nog bezig") == ["Nog bezig", 1, 1.0, 0, None]


# --- The printable version: "< 5" -------------------------------------------------------------------------

def test_a_figure_from_fewer_than_five_chats_prints_as_less_than_five():
    assert [show(count(n), printable=True) for n in (0, 1, 4, 5, 1234)] == ["0", "< 5", "< 5", "5", "1.234"]
    assert show(count(3)) == "3"  # on screen, the coordinator sees the figure
    assert show(share(3, 100), printable=True) == "< 5"  # it counts 3 chats
    assert show(share(0, 3), printable=True) == "< 5"  # out of 3
    assert show(share(0, 5), printable=True) == "0,0 %"
    assert show(share(651, 1000), printable=True) == "65,1 %"
    assert show(measure(14.875, "age", 4), printable=True) == "< 5"
    assert show(measure(14.875, "age", 5), printable=True) == "14,88"
    assert show(measure(36.6, "seconds", 300)) == "36,6 s"
    assert show(Cell(7, "count"), printable=True) == "7"  # not about chats (opening days, counsellors)
    assert show(measure(None, "seconds", 0), printable=True) == "—"


def test_the_printable_version_of_a_real_table(built):
    pranks = built.table("pranks")
    assert [show(c, printable=True) for c in pranks.rows[0]] == ["schooljaar 2025-2026", "5", "< 5", "< 5"]
    assert [show(c) for c in pranks.rows[0]] == ["schooljaar 2025-2026", "5", "1", "20,0 %"]
    # A change between small figures would give them away; opening days are no chats.
    overview = built.table("overview")
    assert [show(c, printable=True) for c in overview.row("Chatoproepen")] == ["Chatoproepen", "8", "< 5", "< 5"]
    assert [show(c, printable=True) for c in overview.row("Openingsdagen")] == ["Openingsdagen", "6", "2",
                                                                                  "+200,0 %"]


# --- The period asked for ---------------------------------------------------------------------------------

TODAY = date(2026, 12, 2)


def test_the_default_period_is_the_current_school_year_and_the_one_before_is_compared():
    period = parse_period(None, None, None, TODAY)
    assert (period, period.label) == (school_year(2026), "schooljaar 2026-2027")
    assert period.previous() == school_year(2025)
    assert parse_period(None, None, None, date(2026, 8, 31)) == school_year(2025)
    assert parse_period("2017-2018", None, None, TODAY) == parse_period("2017", "", "", TODAY) == school_year(2017)
    assert (school_year(2017).first_day, school_year(2017).last_day) == (date(2017, 9, 1), date(2018, 8, 31))


def test_a_range_of_months_and_the_same_length_before_it():
    period = parse_period(None, "2025-11", "2026-02", TODAY)
    assert (period.first, period.months, period.label) == (Month(2025, 11), 4, "november 2025 - februari 2026")
    assert (period.previous().first, period.previous().months) == (Month(2025, 7), 4)
    assert period.query == {"from": "2025-11", "to": "2026-02"}


@pytest.mark.parametrize(("year", "first", "last", "field", "says"), [
    (None, "2026-03", "2025-09", "to", "vóór de eerste"),
    (None, "2027-01", "2027-03", "from", "toekomst"),
    ("2027-2028", None, None, "year", "toekomst"),
    (None, "2025-13", "2026-01", "from", "jjjj-mm"),
    (None, "2025-09", "volgende maand", "to", "jjjj-mm"),
    (None, "2025-09", None, "to", "laatste maand"),
    (None, None, "2025-09", "from", "eerste maand"),
    (None, "2010-01", "2025-12", "to", "60 maanden"),
    ("2017-2019", None, None, "year", "2017-2018"),
    ("vorig jaar", None, None, "year", "2017-2018"),
])
def test_a_bad_period_is_refused_naming_the_field(year, first, last, field, says):
    with pytest.raises(DomainError) as info:
        parse_period(year, first, last, TODAY)
    assert info.value.details["field"] == field and says in info.value.message
