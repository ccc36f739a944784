"""The waiting-time estimate: from recent pick-ups when there are enough, else from the counsellors online."""

from datetime import UTC, datetime, timedelta

import pytest

from clbchat.domain.estimates import MEAN_CHAT_SECONDS, QueueRate, estimate_wait

NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)


def rate(online: int = 3, chats_each: int = 2, pickups_seconds_ago: tuple[int, ...] = ()) -> QueueRate:
    pickups = [NOW - timedelta(seconds=s) for s in sorted(pickups_seconds_ago, reverse=True)]
    return QueueRate(counsellors_online=online, chats_per_counsellor=chats_each, recent_pickups=pickups, now=NOW)


# --- when there is no estimate ---------------------------------------------------------------------

def test_no_estimate_with_nobody_online():
    assert estimate_wait(1, rate(online=0)) is None


def test_no_estimate_with_nobody_online_even_with_recent_pickups():
    assert estimate_wait(1, rate(online=0, pickups_seconds_ago=(300, 200, 100))) is None


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

def test_uses_the_mean_interval_between_recent_pickups_with_three_or_more():
    # Pick-ups 180, 120 and 60 s ago: one every 60 s. Fourth in line: 240 s.
    assert estimate_wait(4, rate(online=3, pickups_seconds_ago=(180, 120, 60))) == 240


def test_pickup_rate_ignores_the_counsellors_online_count():
    pickups = (400, 300, 200, 100)  # one every 100 s
    assert estimate_wait(3, rate(online=1, pickups_seconds_ago=pickups)) == 300
    assert estimate_wait(3, rate(online=8, pickups_seconds_ago=pickups)) == 300


def test_time_since_the_last_pickup_counts_so_a_stalled_queue_estimates_longer():
    # Pick-ups 20, 19 and 18 minutes ago and none since: 3 pick-ups in the last 20 minutes is one
    # per 400 s (390 after rounding), not one a minute as the gaps between them alone would say.
    stalled = rate(pickups_seconds_ago=(1200, 1140, 1080))
    assert estimate_wait(1, stalled) == 390
    assert estimate_wait(1, stalled) > estimate_wait(1, rate(pickups_seconds_ago=(180, 120, 60)))


def test_pickups_at_the_same_instant_still_give_a_positive_estimate():
    assert estimate_wait(1, rate(pickups_seconds_ago=(0, 0, 0))) == 30


# --- growth with position -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "queue_rate",
    [rate(online=3, chats_each=2), rate(online=1, chats_each=1), rate(pickups_seconds_ago=(90, 60, 30))],
    ids=["fallback", "one-slot", "pickups"],
)
def test_estimate_grows_with_position(queue_rate):
    estimates = [estimate_wait(position, queue_rate) for position in range(1, 41)]
    assert all(a <= b for a, b in zip(estimates, estimates[1:], strict=False))
    assert estimates[-1] > estimates[0]


# --- rounding -------------------------------------------------------------------------------------

def one_slot_every(seconds: float) -> QueueRate:
    """A rate whose first-in-line estimate is exactly `seconds` before rounding."""
    return QueueRate(counsellors_online=1, chats_per_counsellor=1, now=NOW,
                     recent_pickups=[NOW - timedelta(seconds=3 * seconds)] * 3)


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
