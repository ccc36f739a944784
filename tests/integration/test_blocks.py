"""Ending a chat with a block, over real sockets and HTTP, on both backends (the embedded store and
Redis): the visitor's widget gets the marker, a new chat request with it gets the kind refusal with the
helplines, one without it is a new visitor; a block out of range changes nothing."""

import requests

from ..clients import Visitor
from ..conftest import SITE_ORIGIN


def ask(live, **extra) -> requests.Response:
    return requests.post(f"{live.url}/api/sites/school/conversations", json={"nickname": "Mila", **extra},
                         headers={"Origin": SITE_ORIGIN}, timeout=5)


def test_a_chat_ended_with_a_block_refuses_that_session_kindly_and_no_one_else(live, chat):
    mila, sofie, chat_id = chat
    sofie.socket.send({"type": "end", "conversation_id": chat_id, "block_minutes": 60})
    assert mila.socket.expect("state", status="ended")["ended_by"] == "counsellor"
    blocked = mila.socket.expect("blocked")
    assert blocked["marker"] and blocked["until"]
    assert sofie.socket.expect("ended", conversation_id=chat_id)["by"] == "counsellor"

    refused = ask(live, block=blocked["marker"])
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["code"], error["until"]) == ("blocked", blocked["until"])
    assert {a["contact"] for a in error["alternatives"]} >= {"102", "1813", "106", "112"}
    assert ask(live).status_code == 201  # a new tab or window is a new visitor
    assert ask(live, block="not-a-marker").status_code == 201

    # Back on the ended chat (a reload), the widget is given the marker again.
    mila.socket.close()
    mila.connect()
    assert mila.socket.expect("blocked")["marker"] == blocked["marker"]


def test_a_block_out_of_range_is_refused_and_the_chat_goes_on(live, chat):
    mila, sofie, chat_id = chat
    sofie.socket.send({"type": "end", "conversation_id": chat_id, "block_minutes": 25 * 60})
    error = sofie.socket.expect("error")
    assert (error["code"], error["field"]) == ("invalid", "block_minutes")
    sofie.say(chat_id, "We praten verder.", "c-1")
    mila.socket.expect("message", text="We praten verder.")
    assert not [f for f in mila.socket.frames if f["type"] == "blocked"]


def test_a_plain_end_blocks_nobody(live, chat):
    mila, sofie, chat_id = chat
    sofie.socket.send({"type": "end", "conversation_id": chat_id})
    mila.socket.expect("state", status="ended")
    assert not [f for f in mila.socket.drain(0.5) if f["type"] == "blocked"]
    assert Visitor(live).request().status_code == 201
