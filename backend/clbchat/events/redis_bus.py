"""Redis pub/sub between workers and hosts.

One Redis channel, `<REDIS_PREFIX>:events`, carries every event as {"o": origin process,
"c": channel, "e": event}. Each process delivers its own events locally at once (so a process keeps
working, alone, while Redis is away) and delivers events from other processes as they arrive. Redis
keeps nothing: it only carries "something changed"; the database has the facts.

When the connection to Redis is lost the bus reports unhealthy (/healthz says degraded) and keeps
reconnecting. Events published meanwhile between processes are lost, so on reconnecting every local
subscriber gets a {"type": "resync"} event and reloads what it shows from the database: no
message is lost, only delayed.
"""

import contextlib
import json
import logging
import threading
import uuid

import redis

from ..domain.channels import conversation_of
from .bus import Subscribers

log = logging.getLogger(__name__)
DEFAULT_PREFIX = "clbchat"  # config REDIS_PREFIX: services (or test runs) sharing one Redis use their own
RECONNECT_SECONDS = (0.2, 0.5, 1, 2)
LISTEN_TICK_SECONDS = 0.25  # how soon the listener notices close()


class RedisBus:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX):
        self.url = url
        # Pub/sub channels are shared by every database number of a Redis server: the prefix, not
        # the number in REDIS_URL, keeps two services (or two test runs) on one Redis apart.
        self.channel = f"{prefix}:events"
        self.origin = uuid.uuid4().hex
        self.subscribers = Subscribers()
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2,
                                            health_check_interval=10)
        self._healthy = threading.Event()
        self._stopping = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="clbchat-redis-listener", daemon=True)
        self._listener.start()
        self._healthy.wait(timeout=2)

    def publish(self, channel: str, event: dict) -> None:
        self.subscribers.deliver(channel, event)
        try:
            self._client.publish(self.channel, json.dumps({"o": self.origin, "c": channel, "e": event}))
        except redis.RedisError as exc:
            # Committed already; the other processes catch up on their resync when Redis is back.
            self._healthy.clear()
            log.warning("event not sent to other processes (%s): %s %s", exc, channel, event.get("type"))

    def subscribe(self, channel: str, callback) -> None:
        self.subscribers.add(channel, callback)

    def unsubscribe(self, channel: str, callback) -> None:
        self.subscribers.remove(channel, callback)

    def healthy(self) -> bool:
        return self._healthy.is_set()

    def close(self) -> None:
        self._stopping.set()
        self._listener.join(timeout=2)
        self._client.close()

    def _listen(self) -> None:
        failures = 0
        lost_contact = False
        while not self._stopping.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self._healthy.set()
                if lost_contact:
                    log.info("Redis is back; resyncing local subscribers from the database")
                    self._resync()
                    lost_contact = False
                failures = 0
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=LISTEN_TICK_SECONDS)
                    if message is not None:
                        self._on_message(message["data"])
            except (redis.RedisError, OSError, ValueError) as exc:
                if not self._stopping.is_set():
                    self._healthy.clear()
                    lost_contact = True
                    if failures == 0:
                        log.warning("lost Redis (%s); reconnecting", exc)
                    self._stopping.wait(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
                    failures += 1
            finally:
                with contextlib.suppress(Exception):  # the connection is already gone
                    pubsub.close()

    def _on_message(self, data: bytes) -> None:
        try:
            envelope = json.loads(data)
        except ValueError:
            log.warning("ignored a malformed event on %s", self.channel)
            return
        if envelope.get("o") != self.origin:
            self.subscribers.deliver(envelope["c"], envelope["e"])

    def _resync(self) -> None:
        for channel in self.subscribers.channels():
            self.subscribers.deliver(channel, {"type": "resync", "conversation_id": conversation_of(channel)})
