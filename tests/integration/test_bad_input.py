"""Bad input gets a clear error to its sender and changes nothing: no 500, no dropped connection,
no lost or doubled message, no other visitor affected. People's text is relayed verbatim as text."""

import json
import logging
import re
import time

import pytest
import requests
from sqlalchemy import func, select
from websockets.exceptions import InvalidStatus

from clbchat.extensions import db
from clbchat.models import Conversation, Message
from clbchat.schemas import FRAME_MAX

from ..clients import Counsellor, Socket, Visitor, open_chat
from ..conftest import SITE_ORIGIN

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
LONE = "a\ud800b"  # a lone UTF-16 surrogate: valid JSON ("a\\ud800b"), not valid Unicode text
HUGE = 2**64
DEEP = "[" * 5000 + "]" * 5000


def _deep(frame: dict, key: str) -> str:
    """The frame with `key` set to an array nested 5,000 deep (past Python's recursion limit)."""
    return json.dumps({**frame, key: "@"}).replace('"@"', DEEP)


def _message_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Message))


def _conversation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Conversation))


@pytest.mark.parametrize(("frame", "code"), [
    ("{not json", "bad_json"),
    ("[1, 2, 3]", "bad_json"),
    ('{"no": "type"}', "bad_json"),
    (b"\x00\x01binary", "binary_not_supported"),
    ({"type": "launch_missiles"}, "unknown_type"),
    ({"type": "message", "text": "no client id"}, "invalid"),
    ({"type": "message", "client_id": "x", "text": ""}, "invalid"),
    ({"type": "message", "client_id": "x", "text": "hi", "html": True}, "invalid"),
    ({"type": "typing", "active": "yes please"}, "invalid"),
    ({"type": "rate", "stars": "5"}, "invalid"),
    ({"type": "message", "client_id": "x", "text": LONE}, "invalid"),
    ({"type": "message", "client_id": LONE, "text": "hi"}, "invalid"),
    ({"type": "message", "client_id": "x", "text": "a\x00b"}, "invalid"),
    ({"type": "rate", "stars": 5, "comment": LONE}, "invalid"),
    ({"type": "leave", "reason": LONE}, "invalid"),
    ({"type": "ping", LONE: 1}, "invalid"),
    ({"type": LONE}, "unknown_type"),
    ({"type": "rate", "stars": HUGE}, "invalid"),
    ({"type": "rate", "stars": -HUGE}, "invalid"),
    ({"type": "hello", "token": "t", "after_seq": HUGE}, "invalid"),
    ('{"type": "rate", "stars": Infinity}', "bad_json"),
    ('{"type": "rate", "stars": NaN}', "bad_json"),
    ("[" * 5000, "bad_json"),
    (DEEP, "bad_json"),
    (_deep({"type": "message", "client_id": "deep"}, "text"), "bad_json"),
])
def test_malformed_visitor_frames_get_an_error_and_the_chat_goes_on(app, chat, frame, code):
    mila, sofie, conversation_id = chat
    mila.socket.send(frame)
    error = mila.socket.expect("error")
    assert error["code"] == code, error
    # The connection and the chat still work, and the counsellor saw nothing of it.
    assert mila.say("nog hier", "after")["seq"] == 1
    assert sofie.socket.expect("message", seq=1)["text"] == "nog hier"
    assert [f for f in sofie.socket.drain() if f["type"] == "error"] == []


def test_malformed_console_frames_get_an_error_and_the_console_goes_on(app, live):
    app.config["FLOOD_BURST"] = 100  # all these frames at once are not a flood
    mila, sofie, conversation_id = open_chat(live)
    message = {"type": "message", "conversation_id": conversation_id, "client_id": "c", "text": "x"}
    for frame, code in [("nope", "bad_json"), ({"type": "take", "conversation_id": "one"}, "invalid"),
                        ({"type": "message", "conversation_id": 999, "client_id": "c", "text": "x"},
                         "not_found"),
                        ({"type": "end", "conversation_id": 999}, "not_found"),
                        ({"type": "watch", "conversation_id": conversation_id}, "not_your_chat"),
                        ({"type": "hand_over", "conversation_id": conversation_id, "to_group": "x", "note": "n"},
                         "invalid"),
                        ({"type": "handover_accept", "handover_id": 999}, "not_found"),
                        ({**message, "text": LONE}, "invalid"),
                        ({**message, "client_id": LONE}, "invalid"),
                        ({**message, "text": "\x00"}, "invalid"),
                        ({**message, "conversation_id": HUGE}, "invalid"),
                        ({**message, "conversation_id": -HUGE}, "invalid"),
                        ({"type": "take", "conversation_id": HUGE}, "invalid"),
                        ({"type": "typing", "conversation_id": HUGE, "active": True}, "invalid"),
                        ({"type": "end", "conversation_id": HUGE}, "invalid"),
                        ({"type": "sync", "conversation_id": HUGE}, "invalid"),
                        ({"type": "sync", "conversation_id": conversation_id, "after_seq": HUGE}, "invalid"),
                        ({"type": "sync", "conversation_id": conversation_id, "after_seq": -1}, "invalid"),
                        ({"type": "sync", "conversation_id": conversation_id, "after_seq": 1.5}, "invalid"),
                        ('{"type": "end", "conversation_id": Infinity}', "bad_json"),
                        (DEEP, "bad_json"),
                        (_deep({"type": "take"}, "conversation_id"), "bad_json")]:
        sofie.socket.send(frame)
        error = sofie.socket.expect("error")
        assert error["code"] == code, (frame if len(str(frame)) < 200 else str(frame)[:200], error)
    assert _message_count(app) == 0
    assert sofie.say(conversation_id, "alles goed", "c-1")["seq"] == 1
    assert mila.socket.expect("message", seq=1)["text"] == "alles goed"
    assert [f for f in mila.socket.drain() if f["type"] == "error"] == []


def test_a_bad_field_is_named_in_the_error(chat):
    mila, sofie, conversation_id = chat
    mila.socket.send({"type": "message", "client_id": "x", "text": LONE})
    assert mila.socket.expect("error")["message"].startswith("text: ")
    sofie.socket.send({"type": "sync", "conversation_id": conversation_id, "after_seq": HUGE})
    assert sofie.socket.expect("error")["message"].startswith("after_seq: ")
    sofie.socket.send({"type": "take", "conversation_id": HUGE})
    assert sofie.socket.expect("error")["message"].startswith("conversation_id: ")


def test_a_bad_hello_gets_an_error_and_a_good_one_still_attaches(live):
    mila = Visitor(live)
    mila.request()
    socket = Socket(f"{live.ws_url}/ws/visitor", {"Origin": mila.origin})
    for frame in [{"type": "hello", "token": mila.token, "after_seq": HUGE},
                  {"type": "hello", "token": mila.token, "after_seq": -1},
                  {"type": "hello", "token": LONE},
                  {"type": "hello", "token": "a\x00b"},
                  _deep({"type": "hello"}, "token")]:
        socket.send(frame)
        assert socket.expect("error")["code"] in ("invalid", "bad_json")
    socket.send({"type": "hello", "token": mila.token})
    assert socket.expect("state")["status"] == "waiting"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"nickname": LONE + "c"}, 422, "invalid"),
    ({"nickname": "Mi\x00la"}, 422, "invalid"),
    ({"nickname": "Mila", "ref": LONE}, 422, "invalid"),
    ({"nickname": "Mila", "visitor_role": LONE}, 422, "invalid"),
    ({"nickname": "Mila", LONE: 1}, 422, "invalid"),
    ({"nickname": HUGE}, 422, "invalid"),
    ('{"nickname": "Mila", "x": ' + "[" * 3000 + "]" * 3000 + "}", 400, "bad_json"),
    ('{"nickname": NaN}', 400, "bad_json"),
    ('"Mila"', 400, "bad_json"),
    ({"nickname": "Mila", "ref": "x" * 100_000}, 413, "request_entity_too_large"),
])
def test_a_bad_chat_request_gets_a_4xx_and_stores_nothing(app, live, body, status, code):
    data = body if isinstance(body, str) else json.dumps(body)
    response = requests.post(f"{live.url}/api/sites/school/conversations", data=data, timeout=5,
                             headers={"Origin": SITE_ORIGIN, "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert _conversation_count(app) == 0


def test_a_lone_surrogate_in_the_nickname_is_named(live):
    response = Visitor(live).request(LONE + "c")
    assert list(response.json()["error"]["fields"]) == ["nickname"]


def _worst_case_message(conversation_id: int) -> str:
    """The largest valid console `message` frame in the most verbose JSON: every character of every
    key and string escaped as \\uXXXX, each emoji as its two UTF-16 halves (12 bytes)."""
    def escaped(text: str) -> str:
        units = text.encode("utf-16-be")
        return '"' + "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)) + '"'

    fields = {"type": escaped("message"), "conversation_id": str(conversation_id),
              "client_id": escaped("\U0001F600" * 64), "text": escaped("\U0001F600" * 2000)}
    return "{" + ",".join(f"{escaped(key)}:{value}" for key, value in fields.items()) + "}"


def test_every_valid_message_fits_in_a_frame_however_it_is_encoded(app, chat):
    mila, sofie, conversation_id = chat
    emoji = "\U0001F600" * 2000
    mila.socket.send(json.dumps({"type": "message", "client_id": "emoji", "text": emoji}))  # \\u escapes
    assert mila.socket.expect("ack", client_id="emoji")["seq"] == 1
    assert sofie.socket.expect("message", seq=1)["text"] == emoji
    worst = _worst_case_message(conversation_id)
    assert len(worst) > 25_000
    sofie.socket.send(worst)
    assert sofie.socket.expect("ack", client_id="\U0001F600" * 64)["seq"] == 2
    assert mila.socket.expect("message", seq=2)["text"] == emoji


def test_a_frame_over_the_documented_limit_is_closed_with_1009(app, chat):
    mila, sofie, conversation_id = chat
    limit = app.config["SOCK_SERVER_OPTIONS"]["max_message_size"]
    assert limit == FRAME_MAX == 32 * 1024  # docs/protocol.md, "Frame size"
    mila.socket.send({"type": "message", "client_id": "big", "text": "x" * limit})
    # The close frame as received (the client reports the close only after the test server's TCP close,
    # seconds later).
    deadline = time.monotonic() + 5
    while mila.socket.ws.protocol.close_rcvd is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mila.socket.ws.protocol.close_rcvd.code == 1009
    assert _message_count(app) == 0
    assert sofie.say(conversation_id, "nog iemand?", "c-1")["seq"] == 1


def test_a_message_over_2000_characters_is_refused_and_not_stored(app, chat):
    mila, sofie, _ = chat
    mila.socket.send({"type": "message", "client_id": "long", "text": "x" * 2001})
    error = mila.socket.expect("error")
    assert (error["code"], error["client_id"]) == ("too_long", "long")
    assert _message_count(app) == 0
    assert mila.say("x" * 2000, "exactly")["seq"] == 1


def test_flooding_is_limited_for_the_sender_only(app, chat, live):
    mila, sofie, conversation_id = chat
    bystander = Visitor(live)
    bystander.start("Omstaander")
    for i in range(40):
        mila.socket.send({"type": "message", "client_id": f"f-{i}", "text": f"spam {i}"})
    acks = errors = 0
    while acks + errors < 40:
        frames = mila.socket.drain(1.0)
        if not frames:
            break
        acks += sum(f["type"] == "ack" for f in frames)
        errors += sum(f["type"] == "error" and f["code"] == "rate_limited" for f in frames)
    assert errors > 0 and acks + errors == 40
    # Exactly the acknowledged messages are stored and reach the counsellor, each once.
    assert _message_count(app) == acks
    seqs = [f["seq"] for f in sofie.socket.drain(1.0) if f["type"] == "message"]
    assert seqs == list(range(1, acks + 1))
    assert [f for f in sofie.socket.frames if f["type"] == "error"] == []
    assert [f for f in bystander.socket.frames if f["type"] == "error"] == []
    assert mila.socket.is_open()


def test_wrong_state_actions_are_refused(app, live):
    mila = Visitor(live)
    mila.start()
    mila.socket.send({"type": "message", "client_id": "early", "text": "is er iemand?"})
    assert mila.socket.expect("error")["code"] == "wrong_state"
    mila.socket.send({"type": "rate", "stars": 5})
    assert mila.socket.expect("error")["code"] == "wrong_state"
    mila.socket.send({"type": "hello", "token": mila.token})
    assert mila.socket.expect("error")["code"] == "wrong_state"
    sofie = Counsellor(live)
    sofie.connect()
    chat = sofie.take()
    sofie.socket.send({"type": "end", "conversation_id": chat["id"]})
    sofie.socket.expect("ended")
    mila.socket.expect("state", status="ended")
    mila.socket.send({"type": "message", "client_id": "late", "text": "nog iets"})
    assert mila.socket.expect("error")["code"] == "wrong_state"
    mila.socket.send({"type": "rate", "stars": 3})
    mila.socket.expect("state", rated=True)
    mila.socket.send({"type": "rate", "stars": 5})
    assert mila.socket.expect("error")["code"] == "wrong_state"
    assert _message_count(app) == 0


def test_taking_a_visitor_that_is_already_taken_is_refused(live):
    mila = Visitor(live)
    mila.start()
    sofie, jonas = Counsellor(live, "sofie"), Counsellor(live, "jonas")
    sofie.connect()
    jonas.connect()
    sofie.take(mila.conversation_id)
    jonas.socket.send({"type": "take", "conversation_id": mila.conversation_id})
    assert jonas.socket.expect("error")["code"] == "already_taken"
    jonas.socket.send({"type": "take"})
    assert jonas.socket.expect("error")["code"] == "queue_empty"


def test_hello_is_required_and_tokens_are_checked(live):
    mila = Visitor(live)
    mila.request()
    socket = Socket(f"{live.ws_url}/ws/visitor", {"Origin": mila.origin})
    socket.send({"type": "message", "client_id": "a", "text": "hi"})
    assert socket.expect("error")["code"] == "hello_required"
    socket.send({"type": "hello", "token": "made-up"})
    assert socket.expect("error")["code"] == "unknown_token"
    socket.send({"type": "hello", "token": mila.token})
    assert socket.expect("state")["status"] == "waiting"


def test_html_in_nickname_message_and_comment_is_relayed_verbatim(app, live):
    mila = Visitor(live)
    mila.start(XSS[:24])
    sofie = Counsellor(live)
    sofie.connect()
    assert sofie.socket.expect("queue")["head"][0]["nickname"] == XSS[:24]
    chat = sofie.take()
    mila.socket.expect("state", status="active")
    mila.say(XSS, "v-1")
    assert sofie.socket.expect("message", seq=1)["text"] == XSS
    sofie.say(chat["id"], XSS, "c-1")
    assert mila.socket.expect("message", seq=2)["text"] == XSS
    sofie.socket.send({"type": "end", "conversation_id": chat["id"]})
    mila.socket.expect("state", status="ended")
    mila.socket.send({"type": "rate", "stars": 2, "comment": XSS})
    mila.socket.expect("state", rated=True)


def test_sockets_from_foreign_origins_or_without_login_are_refused_at_the_handshake(live):
    with pytest.raises(InvalidStatus) as refused:
        Socket(f"{live.ws_url}/ws/visitor", {"Origin": "https://evil.test"})
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as anonymous:
        Socket(f"{live.ws_url}/ws/console", {"Origin": live.url})
    assert anonymous.value.response.status_code == 403
    sofie = Counsellor(live)
    with pytest.raises(InvalidStatus) as hijack:
        Socket(f"{live.ws_url}/ws/console", {"Origin": "https://evil.test", "Cookie": sofie.cookie_header})
    assert hijack.value.response.status_code == 403


def test_a_token_used_from_another_sites_origin_is_refused(app, live):
    from clbchat.cli import upsert_site

    with app.app_context():
        upsert_site("other", "Andere school", ["https://other.test"])
    mila = Visitor(live)
    mila.request()
    socket = Socket(f"{live.ws_url}/ws/visitor", {"Origin": "https://other.test"})
    socket.send({"type": "hello", "token": mila.token})
    assert socket.expect("error")["code"] == "origin_not_allowed"


def test_login_needs_the_csrf_token_and_the_right_password(live):
    session = requests.Session()
    no_token = session.post(f"{live.url}/console/login", data={"username": "sofie", "password": "x"})
    assert no_token.status_code == 400
    page = session.get(f"{live.url}/console/login")
    sofie = Counsellor(live)
    assert sofie.http.get(f"{live.url}/console/").status_code == 200
    login_cookie = [c for c in sofie.http.cookies if c.name == "session"][0]
    assert login_cookie.has_nonstandard_attr("HttpOnly") and login_cookie.get_nonstandard_attr("SameSite") == "Lax"
    assert page.status_code == 200
    assert requests.get(f"{live.url}/console/", allow_redirects=False).status_code == 302
    with pytest.raises(AssertionError, match="login failed: 401"):
        Counsellor(live, password="wrong")


def test_a_login_name_with_nul_is_a_wrong_login_not_a_database_error(live, caplog):
    session = requests.Session()
    page = session.get(f"{live.url}/console/login", timeout=5).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = session.post(f"{live.url}/console/login", timeout=5,
                            data={"username": "so\x00fie", "password": "x", "csrf_token": token.group(1)})
    assert response.status_code == 401
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def _database_down(*_args, **_kwargs):
    from sqlalchemy.exc import OperationalError

    raise OperationalError("INSERT ...", {}, ConnectionRefusedError("database down"))


def test_a_database_failure_on_a_message_keeps_the_socket_and_loses_nothing(app, chat, monkeypatch):
    mila, sofie, conversation_id = chat
    with monkeypatch.context() as patch:
        patch.setattr("clbchat.domain.conversations.post_message", _database_down)
        mila.socket.send({"type": "message", "client_id": "tijdens", "text": "hallo?"})
        error = mila.socket.expect("error")
        assert (error["code"], error["client_id"]) == ("unavailable", "tijdens")
    assert mila.say("hallo?", "tijdens")["seq"] == 1  # the client resends; the socket is still there
    assert sofie.socket.expect("message", seq=1)["text"] == "hallo?"
    assert _message_count(app) == 1


def test_a_database_failure_on_a_chat_request_is_a_503_not_a_500(live, monkeypatch):
    monkeypatch.setattr("clbchat.domain.queue.request_chat", _database_down)
    response = Visitor(live).request()
    assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize("slug", ["sch%00ool", "a%ED%A0%80b", "x" * 5000])
def test_a_site_name_no_site_can_have_is_unknown_not_a_database_error(live, slug, caplog):
    # PostgreSQL refuses NUL even in a comparison: this was a 503 "unavailable" and a logged error.
    for response in (requests.get(f"{live.url}/api/sites/{slug}/status", timeout=5),
                     requests.post(f"{live.url}/api/sites/{slug}/conversations", json={"nickname": "Mila"},
                                   headers={"Origin": SITE_ORIGIN}, timeout=5),
                     requests.options(f"{live.url}/api/sites/{slug}/conversations", headers={"Origin": SITE_ORIGIN},
                                      timeout=5)):
        assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown_site")
    assert requests.get(f"{live.url}/chat/{slug}", timeout=5).status_code == 404
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
