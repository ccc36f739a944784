"""A test run keeps to its own names: its own PostgreSQL database and Redis channel, and nothing of a
developer's (a database, keys in Redis, a service listening on Redis) is touched."""

import json
import os
import threading
import time

import pytest

from ..conftest import BACKEND, PG_OWN_DATABASE, REDIS_PREFIX, REDIS_URL, RUN_ID, database_url

pytestmark = pytest.mark.skipif(BACKEND != "scaleout", reason="the embedded backend only uses pytest's temporary "
                                "directories")


def test_the_run_has_a_database_of_its_own(app_config):
    if not PG_OWN_DATABASE:
        pytest.skip("TEST_DATABASE_URL names the database to use")
    assert app_config["SQLALCHEMY_DATABASE_URI"].endswith(f"/clbchat_test_{RUN_ID}")
    assert RUN_ID.startswith(f"{os.getpid()}_")  # and a random part: parallel runs never share it


def test_resetting_between_tests_leaves_redis_alone(request, tmp_path):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    key = f"someone-else:{RUN_ID}"  # what a developer keeps in this Redis database
    client.set(key, "keep", ex=60)
    try:
        database_url(request, tmp_path)  # what runs before every test
        assert client.get(key) == b"keep"
    finally:
        client.delete(key)


def test_events_travel_on_the_runs_own_channel_only(app_config):
    import redis

    from clbchat.events.redis_bus import RedisBus

    assert app_config["REDIS_PREFIX"] == REDIS_PREFIX and REDIS_PREFIX != "clbchat"
    client = redis.Redis.from_url(REDIS_URL)
    developer = client.pubsub(ignore_subscribe_messages=True)  # a service on the default prefix
    developer.subscribe("clbchat:events", f"marker:{RUN_ID}")
    ours = RedisBus(REDIS_URL, REDIS_PREFIX)
    received, arrived = [], threading.Event()

    def listener(channel, event):
        received.append(event)
        if event.get("type") == "ours":
            arrived.set()

    ours.subscribe("queue", listener)
    try:
        assert ours.healthy()
        # Sent one after the other on one connection, so Redis delivers them in this order: when
        # ours arrives, another run's event would have arrived before it.
        for prefix, kind in ((f"clbchat_test_another_run_{RUN_ID}", "theirs"), (REDIS_PREFIX, "ours")):
            client.publish(f"{prefix}:events", json.dumps({"o": "elsewhere", "c": "queue", "e": {"type": kind}}))
        assert arrived.wait(10)
        assert received == [{"type": "ours"}]

        ours.publish("queue", {"type": "queue_changed"})
        client.publish(f"marker:{RUN_ID}", "end")  # after ours: the developer's listener sees it last
        from_us, deadline = [], time.monotonic() + 10
        while True:
            assert time.monotonic() < deadline, "the marker never arrived"
            message = developer.get_message(timeout=1)  # None also for the (ignored) subscribe replies
            if message is None:
                continue
            if message["channel"] == f"marker:{RUN_ID}".encode():
                break
            # A service on the default prefix may really be running here: only our events count.
            if json.loads(message["data"]).get("o") == ours.origin:
                from_us.append(message["data"])
        assert from_us == []
    finally:
        ours.close()
        developer.close()
