"""How long a waiting visitor will probably wait, from recent pick-ups and the counsellors online.

Pure functions, no I/O. The estimate is deliberately simple so a counsellor can explain it:
  seconds per pick-up = the time from the oldest recent pick-up until now, divided by the number of
                        recent pick-ups (when there are enough of them; a stalled queue so grows
                        the estimate),
                        else the mean chat length shared over the chat slots online;
  estimate            = position x seconds per pick-up.
With nobody online there is no estimate (the widget then says nothing rather than guess).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

# From the annual report: a chat lasts 20 minutes on average.
MEAN_CHAT_SECONDS = 20 * 60
MIN_PICKUPS_FOR_RATE = 3


@dataclass(frozen=True)
class QueueRate:
    """What the estimate needs to know about the evening so far."""

    counsellors_online: int
    chats_per_counsellor: int
    recent_pickups: Sequence[datetime]  # pick-up times within the window, oldest first
    now: datetime

    def seconds_per_pickup(self) -> float | None:
        if self.counsellors_online <= 0:
            return None
        if len(self.recent_pickups) >= MIN_PICKUPS_FOR_RATE:
            span = (self.now - self.recent_pickups[0]).total_seconds()
            return max(span / len(self.recent_pickups), 5.0)
        slots = self.counsellors_online * max(self.chats_per_counsellor, 1)
        return MEAN_CHAT_SECONDS / slots


def estimate_wait(position: int, rate: QueueRate) -> int | None:
    """Seconds until this visitor is probably picked up, or None when it cannot be said."""
    per_pickup = rate.seconds_per_pickup()
    if per_pickup is None or position < 1:
        return None
    return _coarse(position * per_pickup)


def _coarse(seconds: float) -> int:
    """Round to what a person reads (half minutes, then whole minutes) so the estimate only changes
    on screen, and on the wire, when it changes in a way that matters."""
    step = 30 if seconds < 600 else 60
    return max(step, round(seconds / step) * step)
