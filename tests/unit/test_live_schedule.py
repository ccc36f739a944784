"""The live schedule (live_schedule.py): what the running service follows. Stored versions and one-off
days over CHAT_HOURS, read again after a change; CHAT_HOURS=24/7 is the switch that opens it around the
clock whatever is stored, but not the report's history."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from clbchat import live_schedule
from clbchat.domain.opening_days import HoursConfig
from clbchat.live_schedule import LiveSchedule

from .test_opening_days import BXL, add_day, count, save


def test_the_live_schedule_follows_what_is_stored_and_rereads_after_a_change(app, session, coordinator):
    live = LiveSchedule(HoursConfig("Mo-Su 09:00-17:00"))
    coordinator = SimpleNamespace(id=coordinator.id)  # the live schedule's read ends the test's session
    now = datetime.now(BXL).replace(hour=12, minute=0, second=0, microsecond=0)
    assert live.is_open(now)  # nothing stored: CHAT_HOURS
    save(session, coordinator, "24/7 off", now.date() - timedelta(days=3))
    assert live.is_open(now)  # cached...
    live.forget()  # ... until hours_changed (or CACHE_SECONDS)
    assert not live.is_open(now)
    add_day(session, coordinator, now.date(), "open", reason="Open dag", open_from="11:00", open_to="13:00")
    live.forget()
    state = live.state(now)
    assert state.open and state.next_change == now.replace(hour=13)


def test_chat_hours_24_7_is_the_switch_that_opens_the_live_chat_whatever_is_stored(app, session, coordinator):
    save(session, coordinator, "24/7 off", "2017-02-01")
    live = LiveSchedule(HoursConfig("24/7"))
    assert live.always_open
    assert live.is_open(datetime.now(UTC)) and live.state(datetime.now(UTC)).next_change is None
    # The report's history is not switched: it reads what was stored.
    assert count(session, date(2018, 9, 1), date(2018, 9, 30), HoursConfig("24/7")) == 0


def test_without_the_event_the_live_schedule_rereads_after_cache_seconds(app, session, coordinator, monkeypatch):
    live = LiveSchedule(HoursConfig("Mo-Su 09:00-17:00"))
    coordinator = SimpleNamespace(id=coordinator.id)
    now = datetime.now(BXL).replace(hour=12, minute=0, second=0, microsecond=0)
    clock = [1000.0]
    monkeypatch.setattr(live_schedule, "monotonic", lambda: clock[0])
    assert live.is_open(now)
    save(session, coordinator, "24/7 off", now.date() - timedelta(days=3))
    clock[0] += live_schedule.CACHE_SECONDS - 1
    assert live.is_open(now)
    clock[0] += 1
    assert not live.is_open(now)
