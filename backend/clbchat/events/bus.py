"""The publish/subscribe interface and its in-process implementation."""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

Callback = Callable[[str, dict], None]


class EventBus(Protocol):
    def publish(self, channel: str, event: dict) -> None: ...

    def subscribe(self, channel: str, callback: Callback) -> None: ...

    def unsubscribe(self, channel: str, callback: Callback) -> None: ...

    def healthy(self) -> bool: ...

    def close(self) -> None: ...


class Subscribers:
    """Channel -> callbacks, safe across threads; shared by every bus implementation."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_channel: dict[str, set[Callback]] = defaultdict(set)

    def add(self, channel: str, callback: Callback) -> bool:
        """Add; True when this is the channel's first subscriber in this process."""
        with self._lock:
            first = channel not in self._by_channel
            self._by_channel[channel].add(callback)
            return first

    def remove(self, channel: str, callback: Callback) -> bool:
        """Remove; True when the channel has no subscribers left in this process."""
        with self._lock:
            callbacks = self._by_channel.get(channel)
            if callbacks is None:
                return False
            callbacks.discard(callback)
            if not callbacks:
                del self._by_channel[channel]
                return True
            return False

    def channels(self) -> list[str]:
        with self._lock:
            return list(self._by_channel)

    def deliver(self, channel: str, event: dict) -> None:
        with self._lock:
            callbacks = list(self._by_channel.get(channel, ()))
        for callback in callbacks:
            try:
                callback(channel, event)
            except Exception:  # one broken subscriber must not starve the others
                log.exception("event subscriber failed on %s", channel)


class InProcessBus:
    """Delivers synchronously in the publisher's thread; for one process."""

    def __init__(self):
        self.subscribers = Subscribers()

    def publish(self, channel: str, event: dict) -> None:
        self.subscribers.deliver(channel, event)

    def subscribe(self, channel: str, callback: Callback) -> None:
        self.subscribers.add(channel, callback)

    def unsubscribe(self, channel: str, callback: Callback) -> None:
        self.subscribers.remove(channel, callback)

    def healthy(self) -> bool:
        return True

    def close(self) -> None:
        pass
