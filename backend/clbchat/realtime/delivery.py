"""Ordered, exactly-once delivery of numbered threads to one connection: the one mechanism both
sockets use.

A thread is a chat's messages (the visitor's socket follows one; a console one per chat it shows).
Its views arrive from the bus in any order, may be missed (a Redis outage, a resubscribe) and may
arrive twice (an event and a catch-up read both carrying seq N). Each goes out here in seq order,
once per connection: the view after the last one sent goes out; a later one means a gap, which is
filled from the database; an earlier one was sent already.
"""

import threading
from typing import Protocol


class Reader(Protocol):
    """The connection that owns the threads: how a view goes out, and how a gap is read."""

    def send_view(self, key, view: dict) -> None: ...

    def read_after(self, key, after_seq: int) -> list[dict]: ...


class OrderedDelivery:
    # One per socket, thousands of idle ones per worker: no per-instance __dict__.
    __slots__ = ("_lock", "_owner", "_sent")

    def __init__(self, owner: Reader):
        # A plain Lock: gevent's RLock is a Python object several hundred bytes larger, times thousands.
        self._lock = threading.Lock()
        self._owner = owner
        self._sent: dict = {}  # thread key -> the last seq sent on this connection

    def held(self) -> threading.Lock:
        """Hold this while opening a thread and sending its history, so that events for it wait. Only
        `start` may be called while holding it."""
        return self._lock

    def start(self, key, sent_seq: int) -> None:
        """Follow a thread from `sent_seq` on (what the connection already has). Takes no lock: call it
        before events for `key` can arrive (before subscribing), or holding `held()`."""
        self._sent[key] = sent_seq

    def stop(self, key) -> bool:
        """Stop following a thread; False when it was not followed."""
        with self._lock:
            return self._sent.pop(key, None) is not None

    def follows(self, key) -> bool:
        return key in self._sent

    def threads(self) -> list:
        with self._lock:
            return list(self._sent)

    def deliver(self, key, view: dict) -> None:
        with self._lock:
            sent = self._sent.get(key)
            if sent is None or view["seq"] <= sent:
                return
            if view["seq"] == sent + 1:
                self._emit(key, view)
            else:
                self._fill(key)

    def fill(self, key) -> None:
        """Send whatever the database has after the last seq sent (after a resync, or on attach)."""
        with self._lock:
            if key in self._sent:
                self._fill(key)

    def _fill(self, key) -> None:
        for view in self._owner.read_after(key, self._sent[key]):
            self._emit(key, view)

    def _emit(self, key, view: dict) -> None:
        self._owner.send_view(key, view)
        self._sent[key] = view["seq"]
