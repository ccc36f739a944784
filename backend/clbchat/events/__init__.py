"""Event fan-out between the domain and the connections that show it.

`EventBus` is the one interface; `InProcessBus` serves a single process (the embedded default),
`RedisBus` carries events between workers and hosts. Events are small JSON-able dicts on named
channels (`queue`, `conversation:<id>`); they say *that* something changed. The database stays the
truth, so a subscriber that missed an event catches up from the database.
"""

from .bus import EventBus, InProcessBus


def make_bus(config) -> EventBus:
    if config.get("REDIS_URL"):
        from .redis_bus import DEFAULT_PREFIX, RedisBus

        return RedisBus(config["REDIS_URL"], config.get("REDIS_PREFIX") or DEFAULT_PREFIX)
    return InProcessBus()


__all__ = ["EventBus", "InProcessBus", "make_bus"]
