"""How long a waiting visitor will probably wait, from the counsellors online, their free places and
the recent pick-ups.

Pure functions, no I/O. The rule is deliberately simple so a counsellor can explain it:
  nobody online               -> no estimate (None): the widget says nobody is online and shows the
                                 alternatives, rather than guess;
  position <= free places     -> 0 (NEXT): a counsellor online has a free place (fewer open chats than
                                 their limit), so the visitor is next, about to be helped;
  otherwise                   -> (position - free places) x seconds per pick-up, rounded.
  seconds per pick-up = the time from the oldest recent pick-up until now, divided by the number of
                        recent pick-ups, when there are at least 3 of them and the oldest is at least
                        10 minutes old (a stalled queue so grows the estimate; a burst of pick-ups,
                        counsellors filling their free places, says nothing yet about how fast places
                        free up), else the mean chat length shared over the chat places online.
"""

from dataclasses import dataclass
from datetime import datetime

# From the annual report: a chat lasts 20 minutes on average.
MEAN_CHAT_SECONDS = 20 * 60
MIN_PICKUPS_FOR_RATE = 3
MIN_SPAN_FOR_RATE = 10 * 60  # seconds of pick-up history before their pace is trusted
NEXT = 0  # the estimate for a visitor whom a free counsellor can take now


@dataclass(frozen=True)
class QueueRate:
    """What the estimate needs to know about the evening so far."""

    counsellors_online: int
    chats_per_counsellor: int
    recent_pickups: int  # pick-ups within the window
    oldest_pickup: datetime | None  # the first of them
    now: datetime
    free_places: int = 0  # chats the counsellors online can still take on before their limit

    def seconds_per_pickup(self) -> float | None:
        if self.counsellors_online <= 0:
            return None
        if self.recent_pickups >= MIN_PICKUPS_FOR_RATE and self.oldest_pickup is not None:
            span = (self.now - self.oldest_pickup).total_seconds()
            if span >= MIN_SPAN_FOR_RATE:
                return span / self.recent_pickups
        places = self.counsellors_online * max(self.chats_per_counsellor, 1)
        return MEAN_CHAT_SECONDS / places


def estimate_wait(position: int, rate: QueueRate) -> int | None:
    """Seconds until this visitor is probably picked up: NEXT (0) when a free place is theirs, None
    when nobody is online (or for no position)."""
    per_pickup = rate.seconds_per_pickup()
    if per_pickup is None or position < 1:
        return None
    if position <= rate.free_places:
        return NEXT
    return _coarse((position - max(rate.free_places, 0)) * per_pickup)


def _coarse(seconds: float) -> int:
    """Round to what a person reads (half minutes, then whole minutes) so the estimate only changes
    on screen, and on the wire, when it changes in a way that matters."""
    step = 30 if seconds < 600 else 60
    return max(step, round(seconds / step) * step)
