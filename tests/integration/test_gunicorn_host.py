"""The service as `make run` and docs/deploy.md start it, on this run's backend: one real gunicorn host
(gevent workers, backend/gunicorn.conf.py) stopped with SIGTERM and reloaded with SIGHUP, and fed bad
requests. Every socket hears 1001 "going away" at once and the client resumes; the logs hold no error
traceback and no IP address (docs/privacy.md).

The graceful timeout is set far above the tests' own timeouts: a socket that only went at the timeout
(today's 1006 after 10 s) fails them.
"""

import ipaddress
import re
import signal
import socket

import pytest
from websockets.exceptions import ConnectionClosed

from ..clients import Counsellor, Socket, Visitor, open_chat
from ..conftest import BACKEND, SITE_ORIGIN
from ..scaleout.processes import Host, wait_until

GRACEFUL_TIMEOUT = 60
PROMPTLY = 10  # seconds: a close frame within this is "at once" next to the graceful timeout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def host_env(app, app_config, tmp_path):
    """The environment of a host on this test's database (seeded by `app`) and, on scale-out, Redis."""
    env = {"DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "CHAT_HOURS": "24/7", "CLBCHAT_VAR_DIR": str(tmp_path), "HEARTBEAT_SECONDS": "1",
           "GRACEFUL_TIMEOUT": str(GRACEFUL_TIMEOUT)}
    if "REDIS_URL" in app_config:
        env.update(REDIS_URL=app_config["REDIS_URL"], REDIS_PREFIX=app_config["REDIS_PREFIX"])
    return env


@pytest.fixture
def host(host_env, tmp_path):
    """One host as documented: one worker on the embedded default (SQLite, in-process events), two on
    PostgreSQL + Redis."""
    server = Host(free_port(), host_env, tmp_path, workers=2 if BACKEND == "scaleout" else 1)
    server.start()
    yield server
    server.kill()


def close_code(sock: Socket, timeout: float = PROMPTLY):
    """The code of the close frame this socket receives next (None: closed without one, the 1006 a
    browser reports); "open" if it is still open after `timeout`."""
    try:
        while True:
            sock.ws.recv(timeout=timeout)
    except TimeoutError:
        return "open"
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def errors_in(log: str) -> list[str]:
    return [line for line in log.splitlines() if re.search(r"\b(ERROR|CRITICAL)\b|Traceback|Errno", line)]


def test_a_graceful_stop_says_going_away_to_every_socket_and_the_chat_resumes(host, host_env, tmp_path):
    mila, sofie, conversation_id = open_chat(host)
    mila.say("een", "v-1")
    sofie.say(conversation_id, "twee", "c-2")
    mila.socket.expect("message", seq=2)
    noor = Visitor(host)
    noor.start("Noor")  # waiting in the queue
    silent = Socket(f"{host.ws_url}/ws/visitor", {"Origin": SITE_ORIGIN})  # no hello yet

    host.signal(signal.SIGTERM)
    assert [close_code(s) for s in (mila.socket, sofie.socket, noor.socket, silent)] == [1001] * 4
    assert host.exited_within(PROMPTLY)  # nothing left to wait for
    assert errors_in(host.log()) == []

    host.start()  # the same port: the widget and the console reconnect by themselves
    assert mila.connect(after_seq=2)["status"] == "active"
    hello = sofie.connect()
    assert [m["seq"] for m in hello["chats"][0]["messages"]] == [1, 2]
    mila.say("drie", "v-3")
    assert sofie.socket.expect("message", seq=3)["text"] == "drie"
    assert noor.connect()["position"] == 1
    assert [f["seq"] for f in mila.socket.frames if f["type"] == "message"] == [3]  # nothing twice


def test_a_reload_says_going_away_and_new_workers_serve_the_reconnect(host):
    mila, sofie, conversation_id = open_chat(host)
    mila.say("voor", "v-1")
    sofie.socket.expect("message", seq=1)
    old_workers = host.worker_pids()

    host.signal(signal.SIGHUP)
    assert close_code(mila.socket) == 1001
    assert close_code(sofie.socket) == 1001
    # The old workers had nothing left to wait for: gone long before the graceful timeout. (Until
    # they are gone, a reconnect may still land on one and hear 1001 again; the widget would retry.)
    wait_until(lambda: not host.worker_pids() & old_workers, timeout=PROMPTLY, what="the old workers to exit")
    host.wait_serving()  # the new workers may still be booting: the widget retries until they answer
    assert mila.connect(after_seq=1)["status"] == "active"
    sofie.connect()
    sofie.say(conversation_id, "na", "c-2")
    assert mila.socket.expect("message", seq=2)["text"] == "na"
    assert errors_in(host.log()) == []


BAD_REQUESTS = [
    b"GARBAGE\r\n\r\n",  # malformed request line
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",  # invalid header name
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n\r\n",  # contradictory
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # request line too long
    b"GET /ws/visitor HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Origin: " + SITE_ORIGIN.encode() + b"\r\nSec-WebSocket-Version: 13\r\n\r\n",  # upgrade without a key
    b"GET /ws/visitor HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Origin: " + SITE_ORIGIN.encode() + b"\r\nSec-WebSocket-Key: a2V5\r\nSec-WebSocket-Version: 8\r\n\r\n",
    b"GET /ws/console HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",  # no login, no Origin
    # An address in the path, the forwarded-for header and the referrer: none may reach the access log.
    b"GET /api/sites/198.51.100.7/status HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n"
    b"Referer: http://192.0.2.1/page\r\nConnection: close\r\n\r\n",
]


def ip_addresses(text: str) -> list[str]:
    """IPv4 and IPv6 addresses in `text` (times such as 13:05:22 are not IPv6 addresses)."""
    found = re.findall(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d])", text)
    for run in re.findall(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*", text):
        for candidate in (run, run.rstrip(":."), run.strip(":.")):
            try:
                ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            found.append(candidate)
            break
    return found


def test_the_logs_hold_no_ip_address_after_bad_requests(host_env, tmp_path):
    also = (f"[::1]:{port}",) if ipv6_loopback() and (port := free_port()) else ()
    server = Host(free_port(), {**host_env, "ACCESS_LOG": "-"}, tmp_path, also_bind=also)
    server.start()
    try:
        answers = [_raw_request("127.0.0.1", server.port, request) for request in BAD_REQUESTS]
        if also:
            answers.append(_raw_request("::1", int(also[0].rsplit(":", 1)[1]), b"GARBAGE6\r\n\r\n"))
        sofie = Counsellor(server, "sofie")  # and ordinary traffic
        sofie.connect()
        Visitor(server).start()
        server.signal(signal.SIGTERM)
        assert server.exited_within(PROMPTLY)
    finally:
        server.kill()
    assert all(answer.split(b" ", 2)[1][:1] == b"4" for answer in answers), answers  # every one a 4xx
    log = server.log()
    assert log.count("Invalid request from ip=") == 4 + bool(also)  # the bad requests were logged ...
    assert ip_addresses(log) == []  # ... without the address
    assert "GET /api/sites/[ip]/status" in log  # the access log is on, and cleaned too
    assert errors_in(log) == []


def _raw_request(address: str, port: int, request: bytes) -> bytes:
    """Send `request` as it is and return the status line of the answer."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family) as s:
        s.settimeout(5)
        s.connect((address, port))
        s.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]
