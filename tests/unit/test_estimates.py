"""The waiting-time estimate: next when a counsellor online has a free place, none when nobody is
online, else from recent pick-ups when there are enough over long enough, else from the counsellors
online. The last section plays whole evenings of pick-ups through it."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from clbchat.domain.estimates import MEAN_CHAT_SECONDS, MIN_SPAN_FOR_RATE, NEXT, QueueRate, estimate_wait

NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)


def rate(online: int = 3, chats_each: int = 2, pickups_seconds_ago: tuple[int, ...] = (),
         free: int = 0) -> QueueRate:
    pickups = [NOW - timedelta(seconds=s) for s in pickups_seconds_ago]
    return QueueRate(counsellors_online=online, chats_per_counsellor=chats_each, now=NOW, free_places=free,
                     **recent(pickups))


def recent(pickups: list[datetime]) -> dict:
    """What the service reads of these pick-ups: how many, and the oldest."""
    return {"recent_pickups": len(pickups), "oldest_pickup": min(pickups, default=None)}


def every(seconds: int, count: int) -> tuple[int, ...]:
    """Pick-ups `seconds` apart, the last one `seconds` ago: a steady pace."""
    return tuple(seconds * i for i in range(1, count + 1))


# --- when there is no estimate ---------------------------------------------------------------------

def test_no_estimate_with_nobody_online():
    assert estimate_wait(1, rate(online=0)) is None


def test_no_estimate_with_nobody_online_even_with_recent_pickups():
    assert estimate_wait(1, rate(online=0, pickups_seconds_ago=every(100, 12))) is None


@pytest.mark.parametrize("position", [0, -1])
def test_no_estimate_for_a_position_below_one(position):
    assert estimate_wait(position, rate()) is None


# --- fallback: the mean chat length over the chat slots online ------------------------------------

def test_fallback_shares_the_mean_chat_length_over_the_chat_slots_online():
    # 3 online x 2 chats = 6 slots; a slot frees every 1200 / 6 = 200 s; third in line: 600 s.
    assert MEAN_CHAT_SECONDS == 1200
    assert estimate_wait(3, rate(online=3, chats_each=2)) == 600


def test_fallback_is_used_with_fewer_than_three_recent_pickups():
    # Two pick-ups long ago would give a very different rate if they were used.
    assert estimate_wait(3, rate(online=3, chats_each=2, pickups_seconds_ago=(3000, 2900))) == 600


def test_fallback_with_one_counsellor_one_chat_is_the_mean_chat_length_per_place():
    assert estimate_wait(1, rate(online=1, chats_each=1)) == 1200
    assert estimate_wait(2, rate(online=1, chats_each=1)) == 2400


def test_fallback_treats_zero_chats_per_counsellor_as_one():
    assert estimate_wait(1, rate(online=2, chats_each=0)) == 600


def test_more_counsellors_online_shorten_the_fallback_estimate():
    assert estimate_wait(3, rate(online=6)) < estimate_wait(3, rate(online=3))


# --- from the recent pick-ups ---------------------------------------------------------------------

def test_uses_the_mean_interval_between_recent_pickups_over_ten_minutes_or_more():
    # One every 60 s for the last 12 minutes. Fourth in line: 240 s.
    assert estimate_wait(4, rate(online=3, pickups_seconds_ago=every(60, 12))) == 240


def test_pickups_spanning_less_than_ten_minutes_are_not_a_pace_yet():
    # Three pick-ups in the last three minutes: the fallback (200 s a place) is used.
    assert MIN_SPAN_FOR_RATE == 600
    assert estimate_wait(3, rate(online=3, chats_each=2, pickups_seconds_ago=(180, 120, 60))) == 600


def test_pickup_rate_ignores_the_counsellors_online_count():
    pickups = every(100, 7)  # one every 100 s
    assert estimate_wait(3, rate(online=1, pickups_seconds_ago=pickups)) == 300
    assert estimate_wait(3, rate(online=8, pickups_seconds_ago=pickups)) == 300


def test_time_since_the_last_pickup_counts_so_a_stalled_queue_estimates_longer():
    # Pick-ups 20, 19 and 18 minutes ago and none since: 3 pick-ups in the last 20 minutes is one
    # per 400 s (390 after rounding), not one a minute as the gaps between them alone would say.
    stalled = rate(pickups_seconds_ago=(1200, 1140, 1080))
    assert estimate_wait(1, stalled) == 390
    assert estimate_wait(1, stalled) > estimate_wait(1, rate(pickups_seconds_ago=(180, 120, 60)))


def test_pickups_at_the_same_instant_are_not_a_pace():
    # Three counsellors filling six free places at once say nothing about how fast places free up.
    assert estimate_wait(1, rate(online=3, chats_each=2, pickups_seconds_ago=(0,) * 6)) == 210


# --- growth with position -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "queue_rate",
    [rate(online=3, chats_each=2), rate(online=1, chats_each=1), rate(pickups_seconds_ago=every(30, 25)),
     rate(online=2, free=3)],
    ids=["fallback", "one-slot", "pickups", "free-places"],
)
def test_estimate_grows_with_position(queue_rate):
    estimates = [estimate_wait(position, queue_rate) for position in range(1, 41)]
    assert all(a <= b for a, b in zip(estimates, estimates[1:], strict=False))
    assert estimates[-1] > estimates[0]


# --- rounding -------------------------------------------------------------------------------------

def one_slot_every(seconds: float) -> QueueRate:
    """A rate whose first-in-line estimate is exactly `seconds` before rounding: n pick-ups over
    n x `seconds` (at least ten minutes)."""
    count = max(3, math.ceil(MIN_SPAN_FOR_RATE / seconds))
    return QueueRate(counsellors_online=1, chats_per_counsellor=1, now=NOW, recent_pickups=count,
                     oldest_pickup=NOW - timedelta(seconds=count * seconds))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (200, 210),  # half minutes below ten minutes
        (130, 120),
        (44, 30),
        (46, 60),
        (590, 600),
        (600, 600),  # whole minutes from ten minutes on
        (615, 600),
        (629, 600),
        (631, 660),
        (3599, 3600),
    ],
)
def test_estimate_is_rounded_to_half_minutes_below_ten_minutes_and_minutes_above(raw, shown):
    assert estimate_wait(1, one_slot_every(raw)) == shown


@pytest.mark.parametrize("raw", [5, 10, 14])
def test_estimate_is_never_zero(raw):
    assert estimate_wait(1, one_slot_every(raw)) == 30


def test_estimates_are_always_whole_steps():
    for position in range(1, 60):
        seconds = estimate_wait(position, rate(online=7, chats_each=3))
        assert seconds > 0
        assert seconds % (30 if seconds < 600 else 60) == 0


# --- a free place: next ---------------------------------------------------------------------------

def test_a_counsellor_online_with_free_places_takes_the_first_ones_next():
    # Seen: one counsellor online with no chat open (limit 2), and the visitor was told "ongeveer 10
    # minuten", the next one "20 minuten"; the pick-up came 4.5 s later.
    free = rate(online=1, chats_each=2, free=2)
    assert [estimate_wait(p, free) for p in (1, 2)] == [NEXT, NEXT] == [0, 0]
    # The third waits for one place to free up: a mean chat over the two places.
    assert estimate_wait(3, free) == 600


def test_positions_behind_the_free_places_count_from_them():
    pickups = every(60, 15)  # one a minute
    assert estimate_wait(1, rate(pickups_seconds_ago=pickups, free=1)) == NEXT
    assert estimate_wait(4, rate(pickups_seconds_ago=pickups, free=1)) == 180
    assert estimate_wait(4, rate(pickups_seconds_ago=pickups, free=0)) == 240


def test_nobody_online_gives_no_estimate_whatever_the_free_places_say():
    assert estimate_wait(1, rate(online=0, free=2)) is None


# --- simulated evenings ---------------------------------------------------------------------------

def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def evening(now: datetime, pickups: list[datetime], online: int = 3, chats_each: int = 2,
            free: int = 0) -> QueueRate:
    """The rate the service would read at `now` from the pick-ups of the last hour."""
    window = [t for t in pickups if now - timedelta(hours=1) <= t <= now]
    return QueueRate(counsellors_online=online, chats_per_counsellor=chats_each, now=now, free_places=free,
                     **recent(window))


def test_steady_pickups_estimate_what_the_visitors_then_wait():
    # A place frees up every 90 s for half an hour and goes on so: the visitor at position p waits p x 90 s.
    pickups = [at(-30) + timedelta(seconds=90 * i) for i in range(21)]  # the last one just now
    for position in range(1, 9):
        waited = 90 * position
        estimate = estimate_wait(position, evening(NOW, pickups))
        assert abs(estimate - waited) <= 0.2 * waited + 30, (position, estimate, waited)


def test_a_burst_of_pickups_does_not_promise_a_quick_turn():
    # 18:00: three counsellors log on and take six waiting visitors within half a minute; every place is
    # full now and the next one frees up when a chat ends, minutes from now, not seconds.
    pickups = [at(0) + timedelta(seconds=5 * i) for i in range(6)]
    rate_then = evening(at(0.5), pickups)
    assert estimate_wait(1, rate_then) == estimate_wait(1, evening(at(0.5), []))  # the chat-length rule
    assert estimate_wait(1, rate_then) >= 180
    assert estimate_wait(5, rate_then) >= 15 * 60


def test_after_a_burst_a_quiet_queue_estimates_longer_as_time_goes_by():
    pickups = [at(0) + timedelta(seconds=5 * i) for i in range(6)]
    later = [estimate_wait(2, evening(at(minutes), pickups)) for minutes in (15, 25, 40)]
    assert later == sorted(later) and later[0] < later[-1]


def test_no_history_uses_the_mean_chat_over_the_places_online():
    assert estimate_wait(2, evening(NOW, [], online=2, chats_each=2)) == 600  # 1200 / 4 places x 2


def test_a_free_counsellor_is_next_whatever_the_history():
    slow = [at(-60) + timedelta(minutes=20 * i) for i in range(4)]  # a slow evening
    assert estimate_wait(1, evening(NOW, slow, online=2, free=1)) == NEXT
    assert estimate_wait(1, evening(NOW, [], online=1, free=1)) == NEXT


def test_nobody_online_has_no_estimate_whatever_the_history():
    busy = [at(-30) + timedelta(seconds=60 * i) for i in range(30)]
    assert estimate_wait(1, evening(NOW, busy, online=0)) is None
    assert estimate_wait(1, evening(NOW, [], online=0)) is None
