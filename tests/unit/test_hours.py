"""Opening hours with the service's default schedule, in Europe/Brussels with Belgian public holidays."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clbchat.config import DEFAULT_HOURS
from clbchat.domain.hours import InvalidSchedule, Schedule, describe_moment

BXL = ZoneInfo("Europe/Brussels")


def at(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BXL)


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    return Schedule(DEFAULT_HOURS, "Europe/Brussels", "BE")


# --- open or closed -------------------------------------------------------------------------------

def test_open_on_a_regular_thursday_evening(schedule):
    assert schedule.is_open(at(2025, 12, 18, 18))


def test_closed_on_christmas_even_on_an_opening_weekday_evening(schedule):
    christmas = at(2025, 12, 25, 18)
    assert christmas.strftime("%A") == "Thursday"
    assert not schedule.is_open(christmas)


def test_closed_between_christmas_and_new_year_and_reopens_the_first_opening_day_after(schedule):
    state = schedule.state(at(2025, 12, 25, 18))
    # 29 and 30 December are a Monday and a Tuesday but fall in the Christmas break; 1 January is
    # off, 2 January is a Friday, so the chat opens again on Monday 5 January.
    assert state.next_open == at(2026, 1, 5, 17)
    assert not schedule.is_open(at(2025, 12, 29, 18))


def test_closed_on_a_public_holiday_that_falls_on_an_opening_day(schedule):
    armistice = at(2026, 11, 11, 15)
    assert armistice.strftime("%A") == "Wednesday"
    state = schedule.state(armistice)
    assert not state.open
    assert state.next_open == at(2026, 11, 12, 17)


def test_open_on_the_same_weekday_a_week_after_the_public_holiday(schedule):
    assert schedule.is_open(at(2026, 11, 18, 15))


def test_wednesday_opens_at_14_exactly(schedule):
    assert schedule.is_open(at(2026, 11, 18, 14, 0))
    assert not schedule.is_open(at(2026, 11, 18, 13, 59))


def test_closes_at_21_and_21_itself_is_closed(schedule):
    assert schedule.is_open(at(2026, 11, 18, 20, 59))
    assert not schedule.is_open(at(2026, 11, 18, 21, 0))
    assert schedule.state(at(2026, 11, 18, 20, 59)).next_change == at(2026, 11, 18, 21)


def test_while_open_next_change_is_the_closing_time_and_there_is_no_next_open(schedule):
    state = schedule.state(at(2026, 11, 16, 18))
    assert state.open
    assert state.next_change == at(2026, 11, 16, 21)
    assert state.next_open is None
    assert state.next_open_text(at(2026, 11, 16, 18)) is None


def test_utc_input_is_read_in_brussels_time(schedule):
    # 13:30 UTC on a Wednesday in November is 14:30 in Brussels: open. 13:30 Brussels time is not.
    assert schedule.is_open(datetime(2026, 11, 18, 13, 30, tzinfo=UTC))
    assert not schedule.is_open(at(2026, 11, 18, 13, 30))
    state = schedule.state(datetime(2026, 11, 18, 13, 30, tzinfo=UTC))
    assert state.open
    assert state.next_change == at(2026, 11, 18, 21)


# --- next opening ---------------------------------------------------------------------------------

def test_next_opening_after_a_friday_evening_is_monday_17(schedule):
    friday = at(2026, 11, 20, 19)
    state = schedule.state(friday)
    assert not state.open
    assert state.next_open == at(2026, 11, 23, 17)
    assert state.next_change == state.next_open
    assert state.next_open_text(friday) == "Opent maandag om 17:00"


def test_next_opening_across_the_summer_break(schedule):
    # Open until 14 July; from 15 July to 15 August off. 15 August 2026 is a Saturday, so the first
    # opening is Monday 17 August at 17:00 (summer time).
    assert schedule.is_open(at(2026, 7, 14, 18))
    start_of_break = at(2026, 7, 15, 15)
    assert start_of_break.strftime("%A") == "Wednesday"
    state = schedule.state(start_of_break)
    assert not state.open
    assert state.next_open == at(2026, 8, 17, 17)
    assert state.next_open.utcoffset() == timedelta(hours=2)
    assert state.next_open_text(start_of_break) == "Opent maandag 17 augustus om 17:00"


def test_next_open_text_says_today_for_later_the_same_day(schedule):
    wednesday_morning = at(2026, 11, 18, 10)
    assert schedule.state(wednesday_morning).next_open_text(wednesday_morning) == "Opent vandaag om 14:00"


def test_next_open_text_says_tomorrow_after_closing(schedule):
    wednesday_night = at(2026, 11, 18, 22)
    assert schedule.state(wednesday_night).next_open_text(wednesday_night) == "Opent morgen om 17:00"


# --- daylight saving time -------------------------------------------------------------------------

def test_next_opening_across_the_switch_to_summer_time(schedule):
    # Clocks go forward on Sunday 29 March 2026.
    state = schedule.state(at(2026, 3, 27, 22))
    assert state.next_change == at(2026, 3, 30, 17)
    assert state.next_change.hour == 17
    assert state.next_change.utcoffset() == timedelta(hours=2)
    assert state.next_change.astimezone(UTC) == datetime(2026, 3, 30, 15, 0, tzinfo=UTC)


def test_opening_on_the_monday_after_the_switch_to_summer_time_is_17_local(schedule):
    assert not schedule.is_open(at(2026, 3, 30, 16))
    assert schedule.is_open(at(2026, 3, 30, 17))
    # 15:30 UTC is 17:30 in summer time, so open (it would be 16:30, closed, in winter time).
    assert schedule.is_open(datetime(2026, 3, 30, 15, 30, tzinfo=UTC))


def test_next_opening_across_the_switch_to_winter_time(schedule):
    # Clocks go back on Sunday 25 October 2026.
    state = schedule.state(at(2026, 10, 23, 22))
    assert state.next_change == at(2026, 10, 26, 17)
    assert state.next_change.hour == 17
    assert state.next_change.utcoffset() == timedelta(hours=1)
    assert state.next_change.astimezone(UTC) == datetime(2026, 10, 26, 16, 0, tzinfo=UTC)


def test_opening_on_the_monday_after_the_switch_to_winter_time_is_17_local(schedule):
    assert not schedule.is_open(at(2026, 10, 26, 16))
    assert schedule.is_open(at(2026, 10, 26, 17))
    # 15:30 UTC is 16:30 in winter time, so still closed.
    assert not schedule.is_open(datetime(2026, 10, 26, 15, 30, tzinfo=UTC))


def test_the_repeated_hour_when_the_clocks_go_back_is_handled(schedule):
    # 00:30 and 01:30 UTC on 25 October 2026 are both 02:30 in Brussels (summer, then winter time).
    for moment in (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)):
        state = schedule.state(moment)
        assert not state.open
        assert state.next_open == at(2026, 10, 26, 17)
        assert state.next_open.utcoffset() == timedelta(hours=1)


# --- the week -------------------------------------------------------------------------------------

def test_week_is_seven_days_from_today_with_dutch_names_and_hours(schedule):
    week = schedule.week(at(2026, 11, 16, 10))  # a Monday
    assert [d.date for d in week] == [date(2026, 11, 16) + timedelta(days=i) for i in range(7)]
    assert [(d.day, d.hours) for d in week] == [
        ("maandag", [("17:00", "21:00")]),
        ("dinsdag", [("17:00", "21:00")]),
        ("woensdag", [("14:00", "21:00")]),
        ("donderdag", [("17:00", "21:00")]),
        ("vrijdag", []),
        ("zaterdag", []),
        ("zondag", []),
    ]


def test_week_starts_today_and_leaves_a_public_holiday_empty(schedule):
    week = schedule.week(at(2026, 11, 11, 9))  # Armistice, a Wednesday
    assert week[0].date == date(2026, 11, 11)
    assert week[0].day == "woensdag"
    assert week[0].hours == []
    assert week[1].day == "donderdag"
    assert week[1].hours == [("17:00", "21:00")]


def test_week_takes_today_in_brussels_for_a_utc_input(schedule):
    # 23:30 UTC on Tuesday 17 November is already Wednesday 00:30 in Brussels.
    week = schedule.week(datetime(2026, 11, 17, 23, 30, tzinfo=UTC))
    assert week[0].date == date(2026, 11, 18)
    assert week[0].day == "woensdag"
    assert week[0].hours == [("14:00", "21:00")]


def test_state_carries_the_week(schedule):
    now = at(2026, 11, 20, 19)
    assert schedule.state(now).week == schedule.week(now)


# --- other schedules ------------------------------------------------------------------------------

def test_24_7_is_always_open_and_never_changes():
    always = Schedule("24/7")
    # Including the nights the clocks change (01:30 UTC is 03:30 and 02:30 (the second time) local).
    moments = (at(2025, 12, 25, 3), at(2026, 7, 15, 12), datetime(2026, 1, 1, tzinfo=UTC),
               datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    for moment in moments:
        state = always.state(moment)
        assert state.open
        assert state.next_change is None
        assert state.next_open is None
    assert all(d.hours == [("00:00", "24:00")] for d in always.week(at(2026, 11, 16)))


def test_invalid_expression_raises_invalid_schedule_with_the_parser_message():
    with pytest.raises(InvalidSchedule) as info:
        Schedule("Mo-Fr 25:00-bogus")
    message = str(info.value)
    assert "Mo-Fr 25:00-bogus" in message
    assert "Failed to parse" in message
    assert isinstance(info.value, ValueError)
    assert info.value.__cause__ is not None  # the library's own exception is kept


# --- describing a moment --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (at(2026, 11, 16, 17), "vandaag om 17:00"),
        (at(2026, 11, 17, 17), "morgen om 17:00"),
        (at(2026, 11, 18, 14), "woensdag om 14:00"),
        (at(2026, 11, 22, 17), "zondag om 17:00"),  # six days ahead: still a weekday name
        (at(2026, 11, 23, 17), "maandag 23 november om 17:00"),  # a week ahead: a date
        (at(2027, 1, 4, 17), "maandag 4 januari om 17:00"),
    ],
)
def test_describe_moment(moment, text):
    assert describe_moment(moment, at(2026, 11, 16, 9)) == text


def test_describe_moment_compares_calendar_days_in_the_moments_time_zone():
    # 23:30 UTC on Monday is Tuesday 00:30 in Brussels: Tuesday 17:00 is "vandaag", not "morgen".
    now = datetime(2026, 11, 16, 23, 30, tzinfo=UTC)
    assert describe_moment(at(2026, 11, 17, 17), now) == "vandaag om 17:00"
