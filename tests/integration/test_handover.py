"""Hand-over to a colleague over real sockets, on both backends: the offer reaches the right colleague
with the note and transcript, accepting moves the chat with one neutral line to the visitor (same
thread, seq gap-free, same socket), messages during the offer are neither lost nor doubled, and a
decline or no answer in time leaves the chat with the sender."""

import pytest

from clbchat.cli import upsert_user
from clbchat.domain.handover import visitor_notice

from ..clients import Counsellor
from ..conftest import PASSWORD

NOTE = "Vraagt naar de pil; graag een verpleegkundige."


@pytest.fixture
def app_config(app_config):
    app_config["HANDOVER_SECONDS"] = 2
    return app_config


@pytest.fixture
def nora(app, live):
    """A nurse, online."""
    with app.app_context():
        upsert_user("nora", "Nora", "counsellor", PASSWORD, discipline="nurse")
    nurse = Counsellor(live, "nora")
    nurse.connect()
    return nurse


def hand_over(sofie, chat_id, **target):
    sofie.socket.send({"type": "hand_over", "conversation_id": chat_id, "note": NOTE, **target})
    return sofie.socket.expect("handover_answer", outcome="offered")


def test_a_chat_handed_to_a_nurse_moves_in_the_same_thread(live, chat, nora):
    mila, sofie, chat_id = chat
    sofie.say(chat_id, "Hallo Mila.", "c-1")
    answer = hand_over(sofie, chat_id, to_group="medical")

    offer = nora.socket.expect("handover_offer")["offer"]
    assert (offer["id"], offer["conversation_id"], offer["sender"], offer["note"], offer["to"]) == (
        answer["handover_id"], chat_id, "Sofie", NOTE, "verpleegkundige of arts")
    assert [m["text"] for m in offer["chat"]["messages"]] == ["Hallo Mila."]
    assert offer["draft"]["visitor_type"] == "pupil"

    # While the offer stands the chat is Sofie's: both sides keep talking.
    mila.say("Ben je er nog?", "v-1")
    sofie.socket.expect("message", seq=2)
    sofie.say(chat_id, "Ja, even geduld.", "c-2")

    nora.socket.send({"type": "handover_accept", "handover_id": offer["id"]})
    taken = nora.socket.expect("chat")["chat"]
    assert [(m["seq"], m["sender"], m["author"]) for m in taken["messages"]] == [
        (1, "counsellor", "Sofie"), (2, "visitor", "Mila"), (3, "counsellor", "Sofie"), (4, "system", None)]
    assert [(line["kind"], line["author"], line["text"]) for line in taken["staff_messages"]][0] == (
        "note", "Sofie", NOTE)
    released = sofie.socket.expect("released", conversation_id=chat_id)
    assert (released["reason"], released["to"]) == ("handed_over", "Nora")
    assert sofie.socket.expect("handover_answer", outcome="accepted")["by"] == "Nora"

    notice = mila.socket.expect("message", seq=4)
    assert (notice["sender"], notice["text"]) == ("system", visitor_notice("nurse"))
    assert mila.socket.expect("state", status="active")["counsellor"] == "Nora"

    nora.say(chat_id, "Dag Mila, ik ben Nora, verpleegkundige.", "n-1")
    assert mila.socket.expect("message", seq=5)["author"] == "Nora"
    mila.say("Dank je.", "v-2")
    nora.socket.expect("message", seq=6)

    # Sofie can no longer write in it.
    sofie.socket.send({"type": "message", "conversation_id": chat_id, "client_id": "c-3", "text": "Nog iets"})
    assert sofie.socket.expect("error", client_id="c-3")["code"] == "not_your_chat"

    # The visitor got every message once, in order, on the one socket, and nothing of the staff side.
    seqs = [f["seq"] for f in mila.socket.frames if f["type"] == "message"]
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert all(NOTE not in str(frame) for frame in mila.socket.frames)
    assert not any(f["type"].startswith(("handover", "staff")) for f in mila.socket.frames)


def test_a_named_colleague_who_declines_leaves_the_chat_with_the_sender(live, chat):
    mila, sofie, chat_id = chat
    jonas = Counsellor(live, "jonas")
    jonas.connect()
    hand_over(sofie, chat_id, to_user_id=jonas.socket.frames[0]["counsellor"]["id"])
    offer = jonas.socket.expect("handover_offer")["offer"]
    jonas.socket.send({"type": "handover_decline", "handover_id": offer["id"]})
    assert sofie.socket.expect("handover_answer", outcome="declined")["by"] == "Jonas"
    jonas.socket.expect("handover_closed", handover_id=offer["id"])
    sofie.say(chat_id, "Ik blijf bij je.", "c-9")
    assert mila.socket.expect("message")["text"] == "Ik blijf bij je."
    states = [f["status"] for f in mila.socket.frames if f["type"] == "state"]
    assert states[states.index("active"):] == ["active"]  # never back to waiting, no second "active"


def test_an_offer_nobody_accepts_lapses_and_the_chat_stays(live, chat, nora):
    mila, sofie, chat_id = chat
    hand_over(sofie, chat_id, to_group="medical")
    offer = nora.socket.expect("handover_offer")["offer"]
    # HANDOVER_SECONDS is 2 here; the hub looks every HEARTBEAT_SECONDS (1).
    assert sofie.socket.expect("handover_answer", timeout=8, outcome="expired")["handover_id"] == offer["id"]
    nora.socket.expect("handover_closed", handover_id=offer["id"])
    nora.socket.send({"type": "handover_accept", "handover_id": offer["id"]})
    assert nora.socket.expect("error")["code"] == "handover_gone"
    sofie.say(chat_id, "Ik ben er nog.", "c-5")
    mila.socket.expect("message", text="Ik ben er nog.")


def test_a_bad_hand_over_is_refused_with_the_field_and_changes_nothing(live, chat):
    mila, sofie, chat_id = chat
    sofie.socket.send({"type": "hand_over", "conversation_id": chat_id, "to_group": "medical", "note": "x"})
    error = sofie.socket.expect("error")
    assert error["code"] == "nobody_free"  # no nurse or doctor online
    sofie.socket.send({"type": "hand_over", "conversation_id": chat_id, "to_group": "piloot", "note": "x"})
    assert sofie.socket.expect("error")["code"] == "invalid"
    jonas = Counsellor(live, "jonas")
    jonas.connect()
    jonas.socket.send({"type": "hand_over", "conversation_id": chat_id, "to_group": "medical", "note": "x"})
    assert jonas.socket.expect("error")["code"] == "not_your_chat"
    sofie.say(chat_id, "Alles goed.", "c-7")
    mila.socket.expect("message", text="Alles goed.")
