"""The production layout of docs/deploy.md: two hosts of two gevent workers each, on PostgreSQL and
Redis. A host stopped gracefully (SIGTERM, as a deploy does) tells each of its sockets "going away"
(1001) at once; the clients reconnect to the other host and resume with nothing lost or doubled.

The graceful timeout is far above the tests' own timeouts: a socket left to the timeout fails them.
"""

import signal

import psycopg
import pytest

from ..clients import Counsellor, Visitor, open_chat
from ..conftest import PG_URL
from ..integration.test_gunicorn_host import PROMPTLY, close_code, errors_in, ip_addresses
from .conftest import free_port
from .processes import Host, wait_until

WORKERS_PER_HOST = 2  # docs/deploy.md: two gevent workers use both cores of a small machine


@pytest.fixture
def layout(service_env, tmp_path):
    env = {**service_env, "GRACEFUL_TIMEOUT": "60"}
    hosts = [Host(free_port(), env, tmp_path, workers=WORKERS_PER_HOST) for _ in range(2)]
    try:
        for host in hosts:
            host.start()
        yield hosts
    finally:
        for host in hosts:
            host.kill()


def transcript(conversation_id: int) -> list[tuple[int, str, str]]:
    with psycopg.connect(PG_URL) as connection:
        return connection.execute(
            "SELECT seq, sender, body FROM messages WHERE conversation_id = %s ORDER BY seq", (conversation_id,)
        ).fetchall()


def messages_seen(socket) -> list[int]:
    return [frame["seq"] for frame in socket.frames if frame["type"] == "message"]


def test_a_host_stopped_gracefully_hands_its_sockets_to_the_other_host(layout):
    a, b = layout
    # Mila (visitor) is on A, her counsellor on B; Lars (visitor) is on B, his counsellor on A.
    mila, sofie, mila_chat = open_chat(a, b, "counsellor0")
    lars, jonas, lars_chat = open_chat(b, a, "counsellor1")
    noor = Visitor(a)
    assert noor.start("Noor")["position"] == 1
    mila.say("een", "v-1")
    sofie.say(mila_chat, "twee", "c-2")
    mila.socket.expect("message", seq=2)
    lars.say("hallo", "l-1")
    jonas.socket.expect("message", seq=1, conversation_id=lars_chat)
    # Sent just before the stop: the widget sends again whatever it has no ack for after reconnecting.
    mila.socket.send({"type": "message", "client_id": "v-3", "text": "drie"})
    wait_until(lambda: len(transcript(mila_chat)) == 3, what="the last message before the stop to be stored")

    a.signal(signal.SIGTERM)
    assert [close_code(s) for s in (mila.socket, jonas.socket, noor.socket)] == [1001] * 3
    assert a.exited_within(PROMPTLY)
    sofie.say(mila_chat, "vier (terwijl Mila wisselt)", "c-4")  # while Mila is between hosts
    lars.say("ben je er nog?", "l-2")  # while Jonas is between hosts

    for client in (mila, jonas, noor):
        client.live = b  # the widget and the console reconnect by themselves, to any live host
    assert mila.connect(after_seq=2)["status"] == "active"
    assert mila.say("drie", "v-3")["seq"] == 3  # the resend is not stored twice
    assert mila.socket.expect("message", seq=4)["text"] == "vier (terwijl Mila wisselt)"
    hello = jonas.connect()
    assert [(m["seq"], m["text"]) for m in hello["chats"][0]["messages"]] == [(1, "hallo"), (2, "ben je er nog?")]
    assert noor.connect()["position"] == 1

    jonas.say(lars_chat, "ja, nog hier", "j-3")
    assert lars.socket.expect("message", seq=3)["text"] == "ja, nog hier"
    sofie.say(mila_chat, "vijf", "c-5")
    assert mila.socket.expect("message", seq=5)["text"] == "vijf"
    assert transcript(mila_chat) == [(1, "visitor", "een"), (2, "counsellor", "twee"), (3, "visitor", "drie"),
                                     (4, "counsellor", "vier (terwijl Mila wisselt)"), (5, "counsellor", "vijf")]
    assert [body for _, _, body in transcript(lars_chat)] == ["hallo", "ben je er nog?", "ja, nog hier"]
    assert messages_seen(mila.socket) == [3, 4, 5]  # the new connection: after seq 2, each once
    assert messages_seen(lars.socket) == [1, 2, 3]  # Lars never left B: each once
    assert sorted(messages_seen(sofie.socket)) == sorted(set(messages_seen(sofie.socket)))

    log = a.log()
    assert errors_in(log) == []
    assert ip_addresses(log) == []


def test_a_counsellor_whose_host_stops_keeps_every_chat(layout):
    a, b = layout
    sofie = Counsellor(a, "counsellor0")
    sofie.connect()
    visitors = [Visitor(layout[i % 2]) for i in range(4)]
    for i, visitor in enumerate(visitors):
        visitor.start(f"Bezoeker{i}")
    chats = [sofie.take()["id"] for _ in visitors]
    for visitor, chat in zip(visitors, chats, strict=True):
        visitor.socket.expect("state", status="active")
        sofie.say(chat, f"dag {chat}", f"c-{chat}-1")

    a.signal(signal.SIGTERM)
    on_a = [v for i, v in enumerate(visitors) if i % 2 == 0]
    assert [close_code(s) for s in [sofie.socket] + [v.socket for v in on_a]] == [1001] * (1 + len(on_a))
    for client in [sofie, *on_a]:
        client.live = b
    for visitor in on_a:
        assert visitor.connect(after_seq=1)["status"] == "active"
    hello = sofie.connect()
    assert sorted(chat["id"] for chat in hello["chats"]) == sorted(chats)
    for visitor, chat in zip(visitors, chats, strict=True):
        visitor.say(f"nog hier {chat}", f"v-{chat}-2")
        assert sofie.socket.expect("message", conversation_id=chat, seq=2)["text"] == f"nog hier {chat}"
        assert [body for _, _, body in transcript(chat)] == [f"dag {chat}", f"nog hier {chat}"]
    assert a.exited_within(PROMPTLY)
    assert errors_in(a.log()) == []
