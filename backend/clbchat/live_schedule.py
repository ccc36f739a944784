"""The opening hours the running service follows (`app.extensions["clbchat.schedule"]`): the stored
history (domain/opening_days.py) read once and kept in this process.

It answers like a schedule (`is_open`, `state`, `tz`) for the widget status and the chat request
check. A coordinator's change publishes `hours_changed` on HOURS_CHANNEL after its commit; every
process forgets its timeline and its status answers at once (with Redis, across workers and hosts).
As a backstop for an event that never arrived (a service on in-process events beside another
process) it is also read again after CACHE_SECONDS, the same bound as a site's settings.

CHAT_HOURS=24/7 is the switch for trying the service out: the chat is then open around the clock,
whatever is stored, and nothing is read. Any other CHAT_HOURS is only the schedule before the first
stored version. Why: a coordinator who saves a schedule expects it to hold, so an ordinary setting
left in the environment must never silently overrule it; the switch is the one deliberate exception
(a trial instance stays open even with schedules copied into it), and the coordinators' page says
when it is on. See docs/deploy.md.
"""

import threading
from datetime import date, datetime, timedelta
from time import monotonic

from .domain.hours import HoursState
from .domain.opening_days import HoursConfig, Timeline, load_timeline
from .unit_of_work import reading

CACHE_SECONDS = 30


class LiveSchedule:
    def __init__(self, config: HoursConfig):
        self.config = config  # an invalid CHAT_HOURS has already stopped the app here
        self.tz = config.tz
        self._lock = threading.Lock()
        self._timeline: Timeline | None = None
        self._loaded_at = 0.0

    @property
    def always_open(self) -> bool:
        return self.config.always_open

    def timeline(self) -> Timeline:
        """The stored history from yesterday on (enough for now and the year ahead), cached."""
        timeline = self._timeline
        if timeline is not None and monotonic() - self._loaded_at < CACHE_SECONDS:
            return timeline
        with self._lock:  # one read per process when the cache runs out, not one per request
            if self._timeline is not None and monotonic() - self._loaded_at < CACHE_SECONDS:
                return self._timeline
            yesterday = datetime.now(self.tz).date() - timedelta(days=1)
            with reading() as session:
                timeline = load_timeline(session, self.config, first=yesterday)
            self._timeline, self._loaded_at = timeline, monotonic()
            return timeline

    def _current(self):
        return self.config.default_schedule if self.always_open else self.timeline()

    def is_open(self, now: datetime) -> bool:
        return self._current().is_open(now)

    def state(self, now: datetime) -> HoursState:
        return self._current().state(now)

    def days(self, first: date, last: date):
        return self._current().days(first, last)

    def forget(self, _channel: str | None = None, _event: dict | None = None) -> None:
        """On `hours_changed` (or a resync): read the history again on the next question."""
        self._timeline = None
