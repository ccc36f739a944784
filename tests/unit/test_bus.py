"""The in-process event bus: channels, unsubscribing, a broken subscriber, many publishing threads."""

import logging
import threading

from clbchat.events import make_bus
from clbchat.events.bus import InProcessBus


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[str, dict]] = []

    def __call__(self, channel: str, event: dict) -> None:
        with self.lock:
            self.received.append((channel, event))


def test_subscribers_of_a_channel_get_its_events():
    bus = InProcessBus()
    first, second = Recorder(), Recorder()
    bus.subscribe("queue", first)
    bus.subscribe("queue", second)
    bus.publish("queue", {"type": "queue_changed"})
    assert first.received == [("queue", {"type": "queue_changed"})]
    assert second.received == [("queue", {"type": "queue_changed"})]


def test_subscribers_of_another_channel_get_nothing():
    bus = InProcessBus()
    queue_listener, chat_listener = Recorder(), Recorder()
    bus.subscribe("queue", queue_listener)
    bus.subscribe("conversation:1", chat_listener)
    bus.publish("conversation:2", {"type": "message"})
    bus.publish("conversation:1", {"type": "status", "conversation_id": 1})
    assert queue_listener.received == []
    assert chat_listener.received == [("conversation:1", {"type": "status", "conversation_id": 1})]


def test_publishing_without_subscribers_is_fine():
    InProcessBus().publish("nobody", {"type": "queue_changed"})


def test_unsubscribe_stops_delivery_to_that_subscriber_only():
    bus = InProcessBus()
    leaving, staying = Recorder(), Recorder()
    bus.subscribe("queue", leaving)
    bus.subscribe("queue", staying)
    bus.publish("queue", {"n": 1})
    bus.unsubscribe("queue", leaving)
    bus.publish("queue", {"n": 2})
    assert leaving.received == [("queue", {"n": 1})]
    assert staying.received == [("queue", {"n": 1}), ("queue", {"n": 2})]


def test_unsubscribing_the_last_subscriber_forgets_the_channel():
    bus = InProcessBus()
    listener = Recorder()
    bus.subscribe("conversation:7", listener)
    bus.unsubscribe("conversation:7", listener)
    bus.unsubscribe("conversation:7", listener)  # twice, or never subscribed: no error
    bus.unsubscribe("never", listener)
    assert bus.subscribers.channels() == []
    bus.publish("conversation:7", {"type": "message"})
    assert listener.received == []


def test_a_subscriber_that_raises_does_not_stop_delivery_to_the_others():
    bus = InProcessBus()
    before, after = Recorder(), Recorder()
    calls = []

    def broken(channel, event):
        calls.append(event)
        raise RuntimeError("subscriber bug")

    # Delivery order among subscribers is not defined; with one on each side of the broken one
    # (and several publishes) both must get everything whatever the order.
    bus.subscribe("queue", before)
    bus.subscribe("queue", broken)
    bus.subscribe("queue", after)
    for n in range(3):
        bus.publish("queue", {"n": n})  # does not raise either
    assert len(calls) == 3
    assert [e for _, e in before.received] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [e for _, e in after.received] == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_a_failing_subscriber_is_logged_also_in_a_process_that_ran_the_migrations(app, caplog):
    # The `app` fixture ran the real migrations in this process, as tests/conftest.py does too. The
    # broken subscriber must still show up in the log, or nobody ever learns about it.
    bus = InProcessBus()

    def broken(channel, event):
        raise RuntimeError("subscriber bug")

    bus.subscribe("queue", broken)
    with caplog.at_level(logging.ERROR, logger="clbchat.events.bus"):
        bus.publish("queue", {"type": "queue_changed"})
    failures = [r for r in caplog.records if r.name == "clbchat.events.bus"]
    assert [r.getMessage() for r in failures] == ["event subscriber failed on queue"]
    assert failures[0].exc_info[0] is RuntimeError


def test_events_published_from_several_threads_all_arrive():
    bus = InProcessBus()
    listener = Recorder()
    bus.subscribe("queue", listener)
    threads_count, per_thread = 8, 250
    start = threading.Barrier(threads_count)

    def publisher(thread_no):
        start.wait()
        for n in range(per_thread):
            bus.publish("queue", {"thread": thread_no, "n": n})

    threads = [threading.Thread(target=publisher, args=(t,)) for t in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = [(e["thread"], e["n"]) for _, e in listener.received]
    assert sorted(received) == [(t, n) for t in range(threads_count) for n in range(per_thread)]
    # Delivery is synchronous in the publisher's thread, so each thread's events keep their order.
    for t in range(threads_count):
        assert [n for thread_no, n in received if thread_no == t] == list(range(per_thread))


def test_subscribing_while_other_threads_publish_is_safe():
    bus = InProcessBus()
    stop = threading.Event()
    errors = []

    def publisher():
        while not stop.is_set():
            try:
                bus.publish("queue", {"type": "queue_changed"})
            except Exception as exc:  # e.g. "set changed size during iteration"
                errors.append(exc)

    threads = [threading.Thread(target=publisher) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(500):
            listener = Recorder()
            bus.subscribe("queue", listener)
            bus.unsubscribe("queue", listener)
        final = Recorder()
        bus.subscribe("queue", final)
        bus.publish("queue", {"type": "last"})
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert ("queue", {"type": "last"}) in final.received


def test_without_redis_url_the_app_uses_the_in_process_bus():
    bus = make_bus({"REDIS_URL": None})
    assert isinstance(bus, InProcessBus)
    assert bus.healthy()
