"""Silent and slow clients must not stall anyone: a real gunicorn gevent host, as `make run` and
production serve it, on this pass's backend (the embedded SQLite default, or PostgreSQL + Redis).

A visitor socket that completes the handshake and then says nothing (or says `hello` late, as a phone
on a bad network does) used to hold the database's write lock until its hello: every other greenlet
of the worker then waited in SQLite's busy handler, which does not yield to gevent.
"""

import random
import statistics
import threading
import time

import pytest
import requests

import clbchat
from clbchat.cli import upsert_site, upsert_user
from clbchat.extensions import db

from ..clients import Counsellor, Socket, Visitor
from ..conftest import BACKEND, PASSWORD, REDIS_URL, SITE_ORIGIN, database_url
from ..scaleout.processes import Host

SILENT_SOCKETS = 50
SLOW_HELLO_SOCKETS = 20
ROUND_TRIPS = 40


@pytest.fixture
def host(request, tmp_path):
    url = database_url(request, tmp_path)
    app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "slow-clients"})
    with app.app_context():
        upsert_site("school", "Testschool", [SITE_ORIGIN])
        upsert_user("sofie", "Sofie", "counsellor", PASSWORD)
        db.engine.dispose()
    app.extensions["clbchat.bus"].close()
    env = {"DATABASE_URL": url, "SECRET_KEY": "slow-clients", "CHAT_HOURS": "24/7",
           "CLBCHAT_VAR_DIR": str(tmp_path), "QUEUE_MAX": "1000", "FLOOD_BURST": "200",
           "HEARTBEAT_SECONDS": "1", "VISITOR_GRACE_SECONDS": "60"}
    if BACKEND == "scaleout":
        env["REDIS_URL"] = REDIS_URL
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = Host(port, env, tmp_path)
    try:
        yield started.start()
    finally:
        started.stop()


def test_silent_and_slow_sockets_stall_nobody(host):
    visitor = Visitor(host)
    visitor.start()
    counsellor = Counsellor(host)
    counsellor.connect()
    conversation_id = counsellor.take()["id"]
    visitor.socket.expect("state", status="active")
    # The reference, same run: round trips and health answers before any silent or slow socket.
    quiet_trips, quiet_health = [], []
    for i in range(10):
        quiet_trips.append(exchange(counsellor, visitor, conversation_id, f"q{i}"))
        started = time.monotonic()
        requests.get(f"{host.url}/healthz", timeout=3)
        quiet_health.append(time.monotonic() - started)

    silent = [Socket(f"{host.ws_url}/ws/visitor", {"Origin": SITE_ORIGIN}) for _ in range(SILENT_SOCKETS)]

    health_times, health_failures, stop = [], [], threading.Event()

    def poll_health():
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = requests.get(f"{host.url}/healthz", timeout=3).status_code
                if status != 200:
                    health_failures.append(status)
            except requests.RequestException as exc:
                health_failures.append(repr(exc))
            health_times.append(time.monotonic() - started)
            time.sleep(0.05)

    slow_states, slow_failures = [], []

    def slow_visitor(index):
        try:
            late = Visitor(host)
            assert late.request(nickname=f"Traag{index}").status_code == 201
            late.socket = Socket(f"{host.ws_url}/ws/visitor", {"Origin": SITE_ORIGIN})
            time.sleep(random.uniform(0.1, 0.3))
            late.socket.send({"type": "hello", "token": late.token, "after_seq": 0})
            slow_states.append(late.socket.expect("state", timeout=5))
        except Exception as exc:  # reported below with the others
            slow_failures.append(repr(exc))

    poller = threading.Thread(target=poll_health, daemon=True)
    poller.start()
    slow = [threading.Thread(target=slow_visitor, args=(i,), daemon=True) for i in range(SLOW_HELLO_SOCKETS)]
    for thread in slow:
        thread.start()

    round_trips = []
    for i in range(ROUND_TRIPS):
        round_trips.append(exchange(counsellor, visitor, conversation_id, f"{i}"))
        time.sleep(0.05)  # a conversation's pace, so the exchange spans the slow hellos and many polls

    for thread in slow:
        thread.join(10)
    stop.set()
    poller.join(5)

    assert not slow_failures, slow_failures
    assert len(slow_states) == SLOW_HELLO_SOCKETS
    assert all(state["status"] == "waiting" and state["position"] >= 1 for state in slow_states)
    assert not health_failures, health_failures
    assert len(health_times) >= 5
    # The silent sockets are still there, held open, and the chat still works after them.
    assert sum(sock.is_open() for sock in silent) == SILENT_SOCKETS
    counsellor.say(conversation_id, "nog iets?", "last")
    visitor.socket.expect("message", client_id="last")
    print(f"\n[{BACKEND}] with {SILENT_SOCKETS} silent + {SLOW_HELLO_SOCKETS} slow sockets: round trip "
          f"{ms(round_trips)}; /healthz {ms(health_times)} over {len(health_times)} polls\n"
          f"[{BACKEND}] reference without them: round trip {ms(quiet_trips)}; /healthz {ms(quiet_health)}")
    for sock in silent:
        sock.close()


def exchange(counsellor: Counsellor, visitor: Visitor, conversation_id: int, tag: str) -> float:
    """One message each way, each seen by the other side; seconds taken."""
    started = time.monotonic()
    counsellor.say(conversation_id, f"vraag {tag}", f"c{tag}")
    visitor.socket.expect("message", client_id=f"c{tag}")
    visitor.say(f"antwoord {tag}", f"v{tag}")
    counsellor.socket.expect("message", client_id=f"v{tag}")
    return time.monotonic() - started


def ms(seconds: list[float]) -> str:
    return f"p50 {statistics.median(seconds) * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms"
