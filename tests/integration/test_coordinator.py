"""The coordinator on call over real sockets, on both backends: the overview, a call for help, looking
on (the counsellor sees it, the visitor does not), whispering, taking part visibly. And the proof that
no staff-only line reaches a visitor: every frame the visitor's socket received, live and after a
resume, holds none of them (tests/scaleout/test_teamwork_hosts.py does the same across hosts)."""

import pytest

from clbchat.cli import upsert_user
from clbchat.domain.coordination import JOINED_NOTICE

from ..clients import Counsellor
from ..conftest import PASSWORD

STAFF_ONLY = ("Vraag naar school.", "Oké, doe ik.", "Lotte kijkt mee.", "Sofie vraagt hulp.",
              "Lotte neemt deel aan het gesprek.")


@pytest.fixture
def lotte(app, live):
    """The coordinator on call, online."""
    with app.app_context():
        upsert_user("lotte", "Lotte", "coordinator", PASSWORD)
    coordinator = Counsellor(live, "lotte")
    coordinator.connect()
    return coordinator


def assert_nothing_staff_only(frames: list[dict]) -> None:
    assert not [f for f in frames if f["type"] not in ("state", "queue", "message", "ack", "typing", "pong")]
    for frame in frames:
        assert not any(text in str(frame) for text in STAFF_ONLY), frame


def coordinate(mila, sofie, chat_id, lotte):
    """Everything a coordinator does in a chat, with both staff-only and visible lines."""
    overview = lotte.socket.expect("overview")
    assert [(c["id"], c["counsellor"]) for c in overview["chats"]] == [(chat_id, "Sofie")]

    sofie.socket.send({"type": "ask_help", "conversation_id": chat_id})
    assert sofie.socket.expect("help_sent")["coordinators"] == 1
    alert = lotte.socket.expect("help")
    assert (alert["conversation_id"], alert["counsellor"]) == (chat_id, "Sofie")

    lotte.socket.send({"type": "watch", "conversation_id": chat_id})
    watched = lotte.socket.expect("chat")["chat"]
    assert (watched["id"], watched["role"], watched["counsellor"]) == (chat_id, "watcher", "Sofie")
    assert sofie.socket.expect("staff_message", text="Lotte kijkt mee.")["kind"] == "event"
    assert sofie.socket.expect("staff_in", conversation_id=chat_id)["staff"][0]["role"] == "watcher"

    lotte.socket.send({"type": "whisper", "conversation_id": chat_id, "client_id": "w-1", "text": STAFF_ONLY[0]})
    assert sofie.socket.expect("staff_message", client_id="w-1")["author"] == "Lotte"
    sofie.socket.send({"type": "whisper", "conversation_id": chat_id, "client_id": "w-2", "text": STAFF_ONLY[1]})
    assert lotte.socket.expect("staff_message", client_id="w-2")["text"] == STAFF_ONLY[1]

    lotte.socket.send({"type": "message", "conversation_id": chat_id, "client_id": "k-0", "text": "Hoi"})
    assert lotte.socket.expect("error", client_id="k-0")["code"] == "not_your_chat"  # looking on only
    mila.say("Het gaat niet goed op school.", "v-1")
    lotte.socket.expect("message", text="Het gaat niet goed op school.")

    lotte.socket.send({"type": "join", "conversation_id": chat_id})
    assert mila.socket.expect("message", text=JOINED_NOTICE)["sender"] == "system"
    lotte.say(chat_id, "Ik ben Lotte, ik denk even mee.", "k-1")
    visible = mila.socket.expect("message", client_id="k-1")
    assert (visible["sender"], visible["author"]) == ("coordinator", "Lotte")
    sofie.socket.expect("message", client_id="k-1")


def test_a_coordinator_looks_on_whispers_and_joins_and_the_visitor_sees_only_what_is_theirs(live, chat, lotte):
    mila, sofie, chat_id = chat
    coordinate(mila, sofie, chat_id, lotte)
    sofie.say(chat_id, "Vertel eens.", "c-9")
    mila.socket.expect("message", client_id="c-9")

    live_frames = list(mila.socket.frames)
    assert_nothing_staff_only(live_frames)
    seqs = [f["seq"] for f in live_frames if f["type"] == "message"]
    assert seqs == list(range(1, len(seqs) + 1))

    # A resume from the start replays the whole thread: still nothing of the staff side, no gap.
    mila.socket.close()
    mila.connect(after_seq=0)
    replayed = [mila.socket.expect("message", seq=seq) for seq in seqs]
    assert [m["text"] for m in replayed] == [f["text"] for f in live_frames if f["type"] == "message"]
    assert_nothing_staff_only(mila.socket.frames + mila.socket.drain())


def test_a_coordinator_who_leaves_stops_following_and_the_visitor_is_told(live, chat, lotte):
    mila, sofie, chat_id = chat
    lotte.socket.send({"type": "join", "conversation_id": chat_id})
    assert lotte.socket.expect("chat")["chat"]["role"] == "joined"
    mila.socket.expect("message", text=JOINED_NOTICE)
    lotte.socket.send({"type": "leave", "conversation_id": chat_id})
    assert lotte.socket.expect("released", conversation_id=chat_id)["reason"] == "stopped"
    mila.socket.expect("message", text="De coördinator heeft het gesprek verlaten.")
    sofie.say(chat_id, "Daar zijn we weer.", "c-1")
    assert all(f.get("client_id") != "c-1" for f in lotte.socket.drain(0.5))


def test_a_counsellor_cannot_look_on_in_a_colleagues_chat(live, chat):
    _mila, _sofie, chat_id = chat
    jonas = Counsellor(live, "jonas")
    jonas.connect()
    for kind in ("watch", "join"):
        jonas.socket.send({"type": kind, "conversation_id": chat_id})
        assert jonas.socket.expect("error")["code"] == "not_your_chat"
