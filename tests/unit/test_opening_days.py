"""Opening hours as data, with history: which schedule holds on any date (one-off days over the latest
version over CHAT_HOURS), the opening days of past months for the annual report (the DOMAIN.md
schedules of 2017-2019 and 2020), a coordinator's changes and their checks, and the preview."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from clbchat.config import DEFAULT_HOURS
from clbchat.domain import schedule_changes as changes
from clbchat.domain.channels import HOURS_CHANNEL
from clbchat.domain.errors import DomainError
from clbchat.domain.opening_days import HoursConfig, load_timeline, opening_days
from clbchat.models import ScheduleDay, ScheduleVersion

BXL = ZoneInfo("Europe/Brussels")
# DOMAIN.md: the hours since 1 February 2017, with Belgian public holidays off...
HOURS_2017 = "Mo,Tu,Th 17:00-21:00; We 14:00-21:00; PH off"
# ... the holiday rules of 2018-2019 (Christmas break except Christmas to New Year; summer until 14
# July and from 16 August) ...
HOURS_2018 = "Mo,Tu,Th 17:00-21:00; We 14:00-21:00; Dec 25-Jan 01 off; Jul 15-Aug 15 off; PH off"
# ... and from 1 March 2020.
HOURS_2020 = "Mo-Th 14:00-21:00; PH off"
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday
TODAY = date(2026, 11, 18)
CONFIG = HoursConfig("24/7 off")  # CHAT_HOURS: closed, so anything open comes from what is stored


def at(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BXL)


def refused(action) -> DomainError:
    with pytest.raises(DomainError) as info:
        action()
    return info.value


def save(session, user, expression, effective_from, config=CONFIG, note=None):
    outbox: list = []
    draft = changes.check_draft(config, expression, effective_from, note)
    row = changes.add_version(session, config, draft, user.id, NOW, outbox)
    session.commit()
    assert outbox == [(HOURS_CHANNEL, {"type": "hours_changed"})]
    return row


def add_day(session, user, day, kind, reason="personeelsdag", **hours):
    outbox: list = []
    row = changes.add_day(session, CONFIG, day, kind, reason, user.id, NOW, outbox, **hours)
    session.commit()
    assert outbox == [(HOURS_CHANNEL, {"type": "hours_changed"})]
    return row


def count(session, first, last, config=CONFIG) -> int:
    return len(opening_days(session, first, last, config))


@pytest.fixture
def history(session, coordinator):
    """The DOMAIN.md schedules as a coordinator would enter them for the report."""
    save(session, coordinator, HOURS_2017, "2017-02-01", note="Start van de chat")
    save(session, coordinator, HOURS_2018, "2018-09-01", note="Decretale openingsdagen")
    save(session, coordinator, HOURS_2020, "2020-03-01")
    return coordinator


# --- the report's opening days from the history -----------------------------------------------------

def test_opening_days_follow_the_schedule_in_force_each_month(session, history):
    # September 2018 (from 1 September the 2018-2019 rules): 4 Mondays, Tuesdays, Wednesdays and
    # Thursdays, no public holiday. September 2020: Monday to Thursday, 4 + 5 + 5 + 4 days.
    sept_2018 = opening_days(session, date(2018, 9, 1), date(2018, 9, 30), CONFIG)
    assert len(sept_2018) == 16
    assert {d.day for d in sept_2018} == {"maandag", "dinsdag", "woensdag", "donderdag"}
    assert [d.hours for d in sept_2018[:3]] == [[("17:00", "21:00")], [("17:00", "21:00")], [("14:00", "21:00")]]
    sept_2020 = opening_days(session, date(2020, 9, 1), date(2020, 9, 30), CONFIG)
    assert len(sept_2020) == 18
    assert all(d.hours == [("14:00", "21:00")] for d in sept_2020)


def test_public_holidays_are_no_opening_days(session, history):
    # November 2018: 1 November (All Saints, a Thursday) is off: 4 + 4 + 4 + 5 - 1.
    november = opening_days(session, date(2018, 11, 1), date(2018, 11, 30), CONFIG)
    assert len(november) == 16
    assert date(2018, 11, 1) not in [d.date for d in november]
    # Ascension Day 2018 (Thursday 10 May) too, under the 2017 version.
    assert date(2018, 5, 10) not in [d.date for d in opening_days(session, date(2018, 5, 1), date(2018, 5, 31),
                                                                  CONFIG)]


def test_the_change_on_1_march_2020_takes_effect_on_that_date(session, history):
    days = {d.date: d.hours for d in opening_days(session, date(2020, 2, 24), date(2020, 3, 8), CONFIG)}
    assert days == {
        date(2020, 2, 24): [("17:00", "21:00")], date(2020, 2, 25): [("17:00", "21:00")],
        date(2020, 2, 26): [("14:00", "21:00")], date(2020, 2, 27): [("17:00", "21:00")],
        date(2020, 3, 2): [("14:00", "21:00")], date(2020, 3, 3): [("14:00", "21:00")],
        date(2020, 3, 4): [("14:00", "21:00")], date(2020, 3, 5): [("14:00", "21:00")],
    }


def test_the_2018_holiday_rules_close_christmas_to_new_year_and_mid_summer(session, history):
    # July 2019: open until 14 July (Monday 1 to Thursday 11: 8 days), then closed; August: from 16 on,
    # a Friday, so from Monday 19 (8 days).
    july = opening_days(session, date(2019, 7, 1), date(2019, 7, 31), CONFIG)
    assert [d.date.day for d in july] == [1, 2, 3, 4, 8, 9, 10, 11]
    august = opening_days(session, date(2019, 8, 1), date(2019, 8, 31), CONFIG)
    assert [d.date.day for d in august] == [19, 20, 21, 22, 26, 27, 28, 29]
    # Christmas 2018: Monday 24 December open, 25 December to 1 January closed, Wednesday 2 January open.
    around_new_year = opening_days(session, date(2018, 12, 24), date(2019, 1, 3), CONFIG)
    assert [d.date for d in around_new_year] == [date(2018, 12, 24), date(2019, 1, 2), date(2019, 1, 3)]


def test_one_off_closure_and_extra_opening_in_the_christmas_break(session, history):
    # December 2018 under the 2018-2019 rules: Mondays 3, 10, 17, 24 (31 is off), Tuesdays 4, 11, 18,
    # Wednesdays 5, 12, 19, Thursdays 6, 13, 20: 13 opening days.
    assert count(session, date(2018, 12, 1), date(2018, 12, 31)) == 13
    add_day(session, history, "2018-12-27", "open", reason="Eén dag open in de kerstvakantie",
            open_from="17:00", open_to="21:00")
    add_day(session, history, "2018-12-05", "closed", reason="Personeelsdag")
    december = {d.date: d.hours for d in opening_days(session, date(2018, 12, 1), date(2018, 12, 31), CONFIG)}
    assert len(december) == 13
    assert december[date(2018, 12, 27)] == [("17:00", "21:00")]
    assert date(2018, 12, 5) not in december
    # The month before and after are untouched.
    assert count(session, date(2018, 11, 1), date(2018, 11, 30)) == 16


def test_without_any_version_chat_hours_is_the_schedule_also_for_the_past(session, coordinator):
    config = HoursConfig(DEFAULT_HOURS)
    assert count(session, date(2018, 9, 1), date(2018, 9, 30), config) == 16
    # Before the first stored version CHAT_HOURS holds, after it the version.
    save(session, coordinator, HOURS_2020, "2020-03-01", config=config)
    assert count(session, date(2018, 9, 1), date(2018, 9, 30), config) == 16
    assert count(session, date(2020, 9, 1), date(2020, 9, 30), config) == 18


# --- history: versions are kept; the latest effective one holds ---------------------------------------

def test_a_correction_with_the_same_date_replaces_it_and_both_are_kept(session, history):
    save(session, history, "Mo-Fr 14:00-21:00; PH off", "2020-03-01", note="Ook op vrijdag")
    # Friday 4 September 2020 is now an opening day; September 2020 has 18 + 4 Fridays.
    assert count(session, date(2020, 9, 1), date(2020, 9, 30)) == 22
    kept = changes.versions(session)
    assert [(v.effective_from, v.expression) for v in kept[:2]] == [
        (date(2020, 3, 1), "Mo-Fr 14:00-21:00; PH off"), (date(2020, 3, 1), HOURS_2020)]
    assert len(kept) == 4
    assert kept[0].created_by.username == "coord" and kept[0].note == "Ook op vrijdag"


def test_a_future_version_holds_from_its_date_and_not_before(session, coordinator):
    save(session, coordinator, "Mo-Th 14:00-21:00", "2026-01-01")
    save(session, coordinator, "Mo-Fr 10:00-12:00", "2026-11-23")
    timeline = load_timeline(session, CONFIG)
    assert timeline.is_open(at(2026, 11, 18, 15))  # Wednesday: the version in force
    assert not timeline.is_open(at(2026, 11, 23, 15))  # Monday: the new one, 10-12
    assert timeline.is_open(at(2026, 11, 23, 11))
    # Closing Thursday 19 at 21:00, the next opening is Monday 23 at 10:00, under the new version.
    assert timeline.state(at(2026, 11, 19, 22)).next_open == at(2026, 11, 23, 10)
    assert [d.hours for d in timeline.week(at(2026, 11, 20, 9))] == [
        [], [], [], [("10:00", "12:00")], [("10:00", "12:00")], [("10:00", "12:00")], [("10:00", "12:00")]]


def test_an_open_span_across_a_version_date_is_one_span(session, coordinator):
    save(session, coordinator, "24/7", "2026-11-01")
    save(session, coordinator, "Mo-Su 00:00-24:00", "2026-11-20")
    state = load_timeline(session, CONFIG).state(at(2026, 11, 18, 12))
    assert state.open and state.next_change is None


# --- one-off days -------------------------------------------------------------------------------------

def test_a_closed_day_closes_the_chat_and_the_next_opening_skips_it(session, coordinator):
    save(session, coordinator, HOURS_2017, "2017-02-01")
    add_day(session, coordinator, "2026-11-25", "closed", reason="Personeelsdag")
    timeline = load_timeline(session, CONFIG)
    assert not timeline.is_open(at(2026, 11, 25, 15))
    state = timeline.state(at(2026, 11, 24, 22))  # Tuesday night
    assert state.next_open == at(2026, 11, 26, 17)
    assert timeline.days(date(2026, 11, 25), date(2026, 11, 25))[0].hours == []


def test_an_extra_open_day_with_an_expression_opens_a_closed_weekday(session, coordinator):
    save(session, coordinator, HOURS_2017, "2017-02-01")
    add_day(session, coordinator, "2026-11-28", "open", reason="Examenperiode", hours="10:00-12:00, 14:00-17:00")
    timeline = load_timeline(session, CONFIG)
    assert timeline.is_open(at(2026, 11, 28, 11)) and not timeline.is_open(at(2026, 11, 28, 13))
    assert timeline.state(at(2026, 11, 28, 12)).next_change == at(2026, 11, 28, 14)
    saturday = timeline.planned_days(date(2026, 11, 28), date(2026, 11, 28))[0]
    assert saturday.hours == [("10:00", "12:00"), ("14:00", "17:00")]
    assert saturday.one_off.reason == "Examenperiode" and saturday.version is None
    assert session.scalar(select(ScheduleDay.hours)) == "10:00-12:00, 14:00-17:00"


def test_a_future_day_can_be_removed_and_no_longer_applies(session, coordinator):
    day = add_day(session, coordinator, "2026-11-25", "closed")
    outbox: list = []
    changes.remove_day(session, day.id, coordinator.id, NOW, TODAY, outbox)
    session.commit()
    assert outbox == [(HOURS_CHANNEL, {"type": "hours_changed"})]
    assert changes.one_off_days(session) == []
    assert session.get(ScheduleDay, day.id).removed_by_id == coordinator.id  # kept, marked
    # The date is free again.
    add_day(session, coordinator, "2026-11-25", "open", reason="Toch open", open_from="17:00", open_to="24:00")
    assert load_timeline(session, CONFIG).days(date(2026, 11, 25), date(2026, 11, 25))[0].hours == [
        ("17:00", "24:00")]


def test_a_past_day_cannot_be_removed_and_an_unknown_one_is_not_found(session, coordinator):
    past = add_day(session, coordinator, "2018-10-03", "closed")
    error = refused(lambda: changes.remove_day(session, past.id, coordinator.id, NOW, TODAY, []))
    assert (error.code, error.details["field"]) == ("wrong_state", "day_id")
    assert "jaarverslag" in error.message
    error = refused(lambda: changes.remove_day(session, 999, coordinator.id, NOW, TODAY, []))
    assert error.code == "not_found"
    session.rollback()
    assert session.get(ScheduleDay, past.id).removed_at is None


def test_one_one_off_day_per_date(session, coordinator):
    add_day(session, coordinator, "2026-12-28", "closed", reason="Kerstvakantie")
    error = refused(lambda: changes.add_day(session, CONFIG, "2026-12-28", "open", "Toch open", coordinator.id,
                                            NOW, [], open_from="17:00", open_to="21:00"))
    assert (error.code, error.details["field"]) == ("day_taken", "day")
    assert "maandag 28 december 2026" in error.message and "Kerstvakantie" in error.message


# --- bad input changes nothing ---------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "effective_from", "field", "words"), [
    ("Mo-Fr 25:00-bogus", "2026-12-01", "expression", "geen geldige opening_hours-uitdrukking (fout bij teken 7"),
    ("elke dag van 5 tot 9", "2026-12-01", "expression", "fout bij teken 1"),
    ("   ", "2026-12-01", "expression", "Vul de openingsuren in"),
    ("Mo-Fr 10:00-12:00; " * 30, "2026-12-01", "expression", "te lang"),
    (HOURS_2020, "1-3-2020", "effective_from", "Geef een datum"),
    (HOURS_2020, "", "effective_from", "Geef een datum"),
    (HOURS_2020, "1899-03-01", "effective_from", "tussen 2000 en 2099"),
])
def test_an_invalid_version_is_refused_naming_the_field(session, coordinator, expression, effective_from, field,
                                                       words):
    error = refused(lambda: changes.check_draft(CONFIG, expression, effective_from, None))
    assert (error.code, error.details["field"]) == ("invalid", field)
    assert words in error.message
    assert session.scalar(select(func.count()).select_from(ScheduleVersion)) == 0


@pytest.mark.parametrize(("day", "kind", "reason", "hours", "field"), [
    ("2026-12-01", "closed", "  ", {}, "reason"),
    ("2026-12-01", "closed", "x" * 121, {}, "reason"),
    ("2026-13-01", "closed", "Staf", {}, "day"),
    ("2026-12-01", "maybe", "Staf", {}, "kind"),
    ("2026-12-01", "open", "Staf", {}, "open_from"),
    ("2026-12-01", "open", "Staf", {"open_from": "17:00", "open_to": "25:00"}, "open_to"),
    ("2026-12-01", "open", "Staf", {"open_from": "21:00", "open_to": "17:00"}, "open_to"),
    ("2026-12-01", "open", "Staf", {"hours": "17:00-bogus"}, "hours"),
    ("2026-12-01", "open", "Staf", {"hours": "Mo 10:00-12:00"}, "hours"),  # a Tuesday: never open
])
def test_an_invalid_one_off_day_is_refused_naming_the_field(session, coordinator, day, kind, reason, hours, field):
    error = refused(lambda: changes.add_day(session, CONFIG, day, kind, reason, coordinator.id, NOW, [], **hours))
    assert (error.code, error.details["field"]) == ("invalid", field)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ScheduleDay)) == 0


def test_hours_that_never_open_that_day_say_so_in_dutch(session, coordinator):
    error = refused(lambda: changes.add_day(session, CONFIG, "2026-12-01", "open", "Staf", coordinator.id, NOW, [],
                                            hours="Mo 10:00-12:00"))
    assert error.message == "Met deze uren is de chat op dinsdag 1 december 2026 niet open."


# --- the preview ----------------------------------------------------------------------------------------

def test_the_preview_shows_six_weeks_with_one_off_days_and_later_versions_and_saves_nothing(session, coordinator):
    save(session, coordinator, HOURS_2017, "2017-02-01")
    save(session, coordinator, "Mo-Fr 09:00-12:00", "2027-01-04")
    add_day(session, coordinator, "2026-12-09", "closed", reason="Personeelsdag")
    draft = changes.check_draft(CONFIG, "Mo-Th 14:00-21:00; Dec 25-Jan 01 off; PH off", "2026-12-01", "Winter")
    preview = changes.preview(session, CONFIG, draft, TODAY)

    assert len(preview.days) == 42 and preview.days[0].date == date(2026, 12, 1)
    assert preview.days[-1].date == date(2027, 1, 11)
    by_date = {d.date: d for d in preview.days}
    assert by_date[date(2026, 12, 1)].hours == [("14:00", "21:00")] and by_date[date(2026, 12, 1)].version.draft
    assert by_date[date(2026, 12, 9)].hours == [] and by_date[date(2026, 12, 9)].one_off.reason == "Personeelsdag"
    assert by_date[date(2026, 12, 29)].hours == []  # the draft's own holiday rule
    assert by_date[date(2027, 1, 4)].hours == [("09:00", "12:00")]  # the later version takes over
    assert not by_date[date(2027, 1, 4)].version.draft
    assert [v.effective_from for v in preview.later] == [date(2027, 1, 4)]
    assert preview.replaces == [] and not preview.retroactive
    assert session.scalar(select(func.count()).select_from(ScheduleVersion)) == 2


def test_a_preview_in_the_past_says_it_changes_history_and_what_it_replaces(session, history):
    draft = changes.check_draft(CONFIG, "Mo-Fr 14:00-21:00", "2020-03-01", None)
    preview = changes.preview(session, CONFIG, draft, TODAY)
    assert preview.retroactive
    assert [v.expression for v in preview.replaces] == [HOURS_2020]
