"""A small key-value store whose entries expire by themselves, kept in memory only: in Redis when the
service runs with REDIS_URL (shared by every process and host), else in this process.

It holds what must never reach the database, such as the markers of blocked browser sessions
(domain/blocks.py). Nothing here survives a restart of Redis or of the process, by design.
"""

import logging
import threading
import time

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The store could not keep an entry (Redis unreachable)."""


class InProcessStore:
    """The embedded default (one process): a dict with deadlines, pruned as it is used."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, str]] = {}

    def put(self, key: str, value: str, seconds: int) -> None:
        with self._lock:
            self._prune()
            self._entries[key] = (time.monotonic() + seconds, value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def get(self, key: str) -> str | None:
        with self._lock:
            deadline, value = self._entries.get(key, (0.0, None))
            return value if deadline > time.monotonic() else None

    def _prune(self) -> None:
        now = time.monotonic()
        for key in [k for k, (deadline, _) in self._entries.items() if deadline <= now]:
            del self._entries[key]


class RedisStore:
    def __init__(self, url: str, prefix: str):
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix + ":store:"

    def put(self, key: str, value: str, seconds: int) -> None:
        import redis

        try:
            self._client.set(self._prefix + key, value, ex=seconds)
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def delete(self, key: str) -> None:
        import redis

        try:
            self._client.delete(self._prefix + key)
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def get(self, key: str) -> str | None:
        """None also when Redis is unreachable: what the store holds is a brake, not a safeguard, and a
        visitor is better let in than kept out by an outage."""
        import redis

        try:
            value = self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            log.warning("expiring store unreachable, read as empty: %s", exc)
            return None
        return value.decode() if value is not None else None


def make_store(config):
    if config.get("REDIS_URL"):
        from .events.redis_bus import DEFAULT_PREFIX

        return RedisStore(config["REDIS_URL"], config.get("REDIS_PREFIX") or DEFAULT_PREFIX)
    return InProcessStore()
