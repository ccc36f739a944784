"""Working as a team across hosts (two gunicorn hosts, one PostgreSQL, one Redis): the visitor on one
host, the counsellor on the other, the coordinator and a nurse on the first. Looking on, whispering,
taking part and a hand-over reach across hosts; no staff-only line reaches the visitor, live or after a
resume on the other host; messages during the hand-over are neither lost nor doubled."""

import pytest

import clbchat
from clbchat.cli import upsert_user
from clbchat.extensions import db

from ..clients import Counsellor, open_chat
from ..conftest import PASSWORD
from ..integration.test_coordinator import assert_nothing_staff_only, coordinate
from .test_processes import on, transcript


@pytest.fixture
def team(service_env):
    app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": service_env["DATABASE_URL"], "SECRET_KEY": "scaleout"})
    with app.app_context():
        upsert_user("sofie", "Sofie", "counsellor", PASSWORD)
        upsert_user("lotte", "Lotte", "coordinator", PASSWORD)
        upsert_user("nora", "Nora", "counsellor", PASSWORD, discipline="nurse")
        db.engine.dispose()


def test_staff_only_lines_stay_with_staff_across_hosts_and_a_hand_over_loses_nothing(team, hosts):
    a, b = hosts
    mila, sofie, chat_id = open_chat(on(a), on(b), "sofie")
    lotte = Counsellor(on(a), "lotte")
    lotte.connect()
    coordinate(mila, sofie, chat_id, lotte)

    nora = Counsellor(on(a), "nora")
    nora.connect()
    sofie.socket.send({"type": "hand_over", "conversation_id": chat_id, "to_group": "medical",
                       "note": "Vraag naar de pil."})
    offer = nora.socket.expect("handover_offer", timeout=10)["offer"]
    # Messages while the offer stands and at the moment it is accepted.
    mila.say("Zijn jullie er nog?", "v-2")
    nora.socket.send({"type": "handover_accept", "handover_id": offer["id"]})
    mila.say("Hallo?", "v-3")
    taken = nora.socket.expect("chat", timeout=10)["chat"]
    assert taken["role"] == "owner"
    nora.say(chat_id, "Ik ben Nora, verpleegkundige.", "n-1")
    mila.socket.expect("message", client_id="n-1", timeout=10)
    assert sofie.socket.expect("released", conversation_id=chat_id, timeout=10)["reason"] == "handed_over"
    # Nora has the thread once, in order: what the chat frame brought, then the message frames.
    nora.socket.expect("message", client_id="n-1", timeout=10)
    nora_seqs = [m["seq"] for m in taken["messages"]] + [
        f["seq"] for f in nora.socket.frames if f["type"] == "message" and f["conversation_id"] == chat_id]

    stored = transcript(chat_id)
    assert [seq for seq, _, _ in stored] == list(range(1, len(stored) + 1))
    assert [body for _, _, body in stored].count("Hallo?") == 1
    seen = [f["seq"] for f in mila.socket.frames if f["type"] == "message"]
    assert seen == [seq for seq, _, _ in stored]  # every one, once, in order
    assert nora_seqs == seen
    assert_nothing_staff_only(mila.socket.frames)
    assert all("Vraag naar de pil." not in str(f) for f in mila.socket.frames)

    # The visitor resumes on the other host: the whole thread again, nothing of the staff side.
    mila.socket.close()
    mila.live = on(b)
    mila.connect(after_seq=0)
    for seq in seen:
        mila.socket.expect("message", seq=seq, timeout=10)
    assert_nothing_staff_only(mila.socket.frames + mila.socket.drain())
