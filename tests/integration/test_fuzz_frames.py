"""Property-based: whatever a client sends, to either socket or to the widget's HTTP API, it gets an
answer (an `error` frame, an ordinary frame, a 4xx), never a 500, a dropped connection or a logged
fault; nothing is stored that was not acknowledged; and the chat still works afterwards.

Frames are generated from the inbound schemas (every type each socket accepts, with its field names)
filled with wrong types, huge and negative numbers, odd strings (lone surrogates, NUL, RTL marks,
long text) and deep nesting. The schemas are also the oracle: a frame they reject must be answered
with an error.
"""

import itertools
import json
import logging
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from sqlalchemy import func, select

from clbchat.extensions import db
from clbchat.models import Conversation, Message
from clbchat.schemas import CONSOLE_IN, FRAME_MAX, VISITOR_IN

from ..clients import Counsellor, Socket, Visitor, open_chat
from ..conftest import SITE_ORIGIN

# The server under test runs in this process and may use the `random` module while Hypothesis draws.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
FUZZ = settings(max_examples=100, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Every error code of docs/protocol.md except `server_error`, which would be a fault of ours.
ERROR_CODES = {"bad_json", "binary_not_supported", "unknown_type", "invalid", "too_long", "rate_limited",
               "hello_required", "unknown_token", "wrong_state", "already_taken", "queue_empty", "chat_limit",
               "not_your_chat", "unavailable"}
_markers = itertools.count()
DEEP = "\u2063deep\u2063"  # replaced by nesting after encoding (json.dumps itself would recurse too deep)

ODD_TEXT = ["", " ", "a\ud800b", "\udfff", "\ud83d", "a\x00b", "\x00", "\u202eplh\u202c",
            "\u200f\u05e9\u05dc\u05d5\u05dd", "\ufeff", "\u200b" * 5, "<script>alert(1)</script>",
            "\U0001F600" * 2000, "\U0001F600" * 2001, "x" * 2001, "x" * 20_000, "\\u0000", "null", "left",
            "quick_exit", "pupil", "Mila", "\r\n\t", "\U0010ffff"]
HUGE = [2**31 - 1, 2**31, 2**53, 2**63, 2**64, 10**30, -1, -(2**63), -(2**64), 0, 1, 5, 6]

odd_characters = st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.sampled_from("\x00\u202e\u200f"))
# (by index: a strategy's repr with the long strings in it would be costly to print)
texts = st.one_of(st.sampled_from(range(len(ODD_TEXT))).map(ODD_TEXT.__getitem__), st.text(max_size=50),
                  st.text(odd_characters, max_size=30))
numbers = st.one_of(st.sampled_from(HUGE), st.integers(), st.floats(), st.sampled_from([1e308, -0.0, 1.5]))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
# Weighted towards what broke before (odd text, huge numbers, deep nesting): each branch is as likely.
values = st.one_of(
    texts, numbers, st.just(DEEP), st.none(), st.booleans(),
    st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                 max_leaves=8))


@st.composite
def frames(draw, schemas: dict):
    """A frame for a socket: mostly an object of a known type with some of its fields (and maybe
    unknown ones), sometimes an odd type or raw text that is not such an object at all."""
    kind = draw(st.one_of(st.sampled_from(sorted(schemas)), texts, st.just("message")))
    known = sorted(set(schemas.get(kind, next(iter(schemas.values()))).fields) - {"type"})
    frame = {"type": kind} if draw(st.integers(0, 9)) else {"type": draw(values)}
    for name in draw(st.lists(st.sampled_from(known), unique=True)) if known else []:
        frame[name] = draw(values)
    frame.update(draw(st.dictionaries(texts, values, max_size=2)))
    if draw(st.integers(0, 3)):
        return frame, _encode(frame, draw(st.sampled_from([950, 1000, 5000, 20_000])))
    return None, draw(st.sampled_from(["", "null", "[]", "{", '"hello"', "1e400", "NaN", '{"type": Infinity}',
                                       "[" * 5000, "{" * 3000, b"\x00\x01", b"{}"]))


def _encode(frame, depth: int) -> str:
    # ensure_ascii: lone surrogates go as \ud800 escapes (raw, they are not valid UTF-8 at all).
    return json.dumps(frame).replace(json.dumps(DEEP), "[" * depth + "]" * depth)


def _expected_error(schemas: dict, frame) -> bool:
    """True when the schemas reject the frame (None: raw text that is no such object), so an error
    frame must answer it. Deep nesting is in no field's type."""
    if frame is None or json.dumps(DEEP) in json.dumps(frame):
        return True
    schema = schemas.get(frame["type"]) if isinstance(frame["type"], str) else None
    if schema is None:
        return True
    try:
        schema.load(frame)
    except ValidationError:
        return True
    return False


def _answers(socket: Socket) -> list[dict]:
    """Everything the server sent in answer to the last frame: frames are handled in order on a
    connection, so it came before the answer to a marker sent after it (a `message` without text,
    whose error names this marker; a pong could be the answer to a fuzzed ping)."""
    marker = f"marker-{next(_markers)}"
    socket.send({"type": "message", "client_id": marker})
    socket.expect("error", timeout=10, client_id=marker)
    return socket.drain(0)


def _count(app, model) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model))
        finally:
            db.session.remove()


def _assert_no_fault(answers: list[dict], caplog) -> None:
    for frame in answers:
        if frame["type"] == "error":
            assert frame["code"] in ERROR_CODES, frame
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert faults == [], [r.getMessage() for r in faults]


def _acks(socket: Socket) -> int:
    return len({f["client_id"] for f in socket.frames if f["type"] == "ack"})


def test_the_visitor_socket_answers_every_frame(app, live, caplog):
    app.config["FLOOD_BURST"] = 10_000  # the flood limit is tested on its own; here every frame counts
    mila, sofie, conversation_id = open_chat(live)
    # A second visitor whose socket has not said hello yet: each frame gets exactly one error.
    noor = Visitor(live)
    noor.request("Noor")
    early = Socket(f"{live.ws_url}/ws/visitor", {"Origin": noor.origin})
    sent_early = []

    @FUZZ
    @given(frames(VISITOR_IN))
    def fuzz(case):
        frame, encoded = case
        if isinstance(encoded, str) and len(encoded) > FRAME_MAX:
            return  # closed with 1009 by design (test_bad_input.py)
        mila.socket.send(encoded)
        answers = _answers(mila.socket)
        if _expected_error(VISITOR_IN, frame):
            assert any(f["type"] == "error" for f in answers), (encoded[:300], answers)
        _assert_no_fault(answers, caplog)
        early.send(encoded)
        sent_early.append(encoded)
        assert early.expect("error")["code"] in ERROR_CODES

    fuzz()
    assert mila.socket.is_open() and early.is_open()
    assert [f["type"] for f in early.frames + early.drain(0.5)] == ["error"] * len(sent_early)
    early.send({"type": "hello", "token": noor.token})
    # (her request may have lapsed meanwhile: she never connected within the grace period)
    assert early.expect("state")["conversation_id"] == noor.conversation_id
    # Only acknowledged messages were stored; the counsellor saw no error.
    assert _count(app, Message) == _acks(mila.socket)
    assert [f for f in sofie.socket.drain() if f["type"] == "error"] == []
    _a_message_still_round_trips(live, mila, sofie, conversation_id)


def test_the_console_socket_answers_every_frame(app, live, caplog):
    app.config["FLOOD_BURST"] = 10_000
    mila, sofie, conversation_id = open_chat(live)

    @FUZZ
    @given(frames(CONSOLE_IN))
    def fuzz(case):
        frame, encoded = case
        if isinstance(encoded, str) and len(encoded) > FRAME_MAX:
            return
        sofie.socket.send(encoded)
        answers = _answers(sofie.socket)
        if _expected_error(CONSOLE_IN, frame):
            assert any(f["type"] == "error" for f in answers), (encoded[:300], answers)
        _assert_no_fault(answers, caplog)

    fuzz()
    assert sofie.socket.is_open()
    assert _count(app, Message) == _acks(sofie.socket)
    assert [f for f in mila.socket.drain() if f["type"] == "error"] == []
    _a_message_still_round_trips(live, mila, sofie, conversation_id)


def _a_message_still_round_trips(live, mila: Visitor, sofie: Counsellor, conversation_id: int) -> None:
    """Both fuzzed sockets still carry a chat: theirs if still going (the fuzz may have ended it with
    a valid `leave` or `end`), else a new one with the fuzzed console."""
    for socket in (mila.socket, sofie.socket):  # still answering; reads every frame sent before
        socket.send({"type": "ping"})
        socket.expect("pong")
    ended = any(f["type"] == "state" and f["status"] == "ended" for f in mila.socket.frames)
    if ended:
        mila = Visitor(live)
        mila.start("Daan")
        sofie.socket.send({"type": "take", "conversation_id": mila.conversation_id})
        conversation_id = sofie.socket.expect("chat", timeout=10)["chat"]["id"]
        mila.socket.expect("state", status="active")
    seq = mila.say("nog iemand daar?", "after-fuzz")["seq"]
    assert sofie.socket.expect("message", timeout=10, conversation_id=conversation_id, seq=seq)["text"] == (
        "nog iemand daar?")
    reply = sofie.say(conversation_id, "ja, ik ben er", "after-fuzz")
    assert mila.socket.expect("message", seq=reply["seq"])["text"] == "ja, ik ben er"


# --- HTTP -------------------------------------------------------------------------------------

def _mostly(valid: list, odd):
    """A valid value three times in four, else an odd one: a request with one odd part at a time
    gets past the other checks to that part's."""
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(valid), odd)


request_bodies = st.fixed_dictionaries(
    {"nickname": st.one_of(st.sampled_from(["Mila", "Noor"]), texts, texts)},
    optional={"visitor_role": _mostly(["pupil", "parent", "other", None, ""], values),
              "ref": _mostly(["onderwijskiezer", None, ""], values)})
bodies = st.one_of(
    request_bodies, request_bodies,
    request_bodies.flatmap(lambda known: st.dictionaries(texts, values, min_size=1, max_size=2).map(
        lambda extra: {**known, **extra})),
    values)
HTTP_ERRORS = {"bad_json", "invalid", "queue_full", "unknown_site", "origin_not_allowed", "not_found",
               "request_entity_too_large", "method_not_allowed", "unsupported_media_type"}


def _percent(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _no_fault_logged(caplog) -> None:
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert faults == [], [r.getMessage() for r in faults]


def test_a_chat_request_with_any_body_gets_a_4xx_or_a_place(app, live, caplog):
    recorded = []  # requests that are stored: taken in the queue (201) or turned away as it is full

    @FUZZ
    @given(body=bodies, depth=st.sampled_from([0, 0, 0, 1000, 3000]),
           content_type=_mostly(["application/json"], st.sampled_from(
               ["application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", None])))
    def fuzz(body, depth, content_type):
        if depth and isinstance(body, dict):
            body = {**body, "deep": DEEP}
        data = _encode(body, depth) if depth else json.dumps(body).replace(json.dumps(DEEP), "1")
        headers = {"Origin": SITE_ORIGIN, **({"Content-Type": content_type} if content_type else {})}
        post = requests.post(f"{live.url}/api/sites/school/conversations", data=data.encode(), headers=headers,
                             timeout=10)
        assert post.status_code < 500, (data[:300], post.text[:300])
        if post.status_code == 201:
            recorded.append(post.json()["conversation_id"])
        else:
            code = post.json()["error"]["code"]
            assert code in HTTP_ERRORS, post.text[:300]
            if code == "queue_full":
                recorded.append(None)
        _no_fault_logged(caplog)

    fuzz()
    assert _count(app, Conversation) == len(recorded)


def test_the_widget_routes_answer_any_site_origin_and_ref_with_a_4xx_or_success(app, live, caplog):
    @FUZZ
    @given(slug=_mostly(["school"], st.sampled_from(["", "a\ud800b", "x" * 5000]) | texts),
           ref=st.one_of(st.none(), texts),
           origin=_mostly([SITE_ORIGIN], st.sampled_from(["https://evil.test", "null", "", "a" * 5000]) | texts))
    def fuzz(slug, ref, origin):
        # Header values are bytes on the wire (other characters go as their UTF-8 bytes); a client
        # cannot send line breaks or surrounding white space in one.
        value = origin.encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"").strip()
        headers = {"Origin": value} if value else {}
        site = f"{live.url}/api/sites/{_percent(slug)}"
        answers = [
            requests.post(f"{site}/conversations", json={"nickname": "Mila"}, headers=headers, timeout=10),
            requests.options(f"{site}/conversations", headers=headers, timeout=10),
            requests.get(f"{site}/status", headers=headers, timeout=10),
            requests.get(f"{live.url}/chat/{_percent(slug)}", headers=headers, timeout=10,
                         params=None if ref is None else {"ref": ref.encode("utf-8", "surrogatepass")}),
        ]
        assert [a.status_code for a in answers if a.status_code >= 500] == [], [a.text[:200] for a in answers]
        _no_fault_logged(caplog)

    fuzz()
    assert Visitor(live).request("Na de storm").status_code in (201, 409)
