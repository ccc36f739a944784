"""A chat never loses its counsellor silently: a console gone past the grace period, and a logout
with open chats, put each chat back at the head of the queue; a counsellor who returns in time keeps
their chats. Real server, real sockets, on both backends."""

import re
import socket
import time

import pytest
from sqlalchemy import update
from websockets.exceptions import ConnectionClosed

from clbchat.domain.requeue import RETURNED_NOTICE
from clbchat.extensions import db
from clbchat.models import Conversation, User
from clbchat.unit_of_work import unit_of_work

from ..clients import Counsellor, Visitor

GRACE = 3  # COUNSELLOR_GRACE_SECONDS for these tests; the hub checks every HEARTBEAT_SECONDS (1)


@pytest.fixture
def app_config(app_config):
    app_config["COUNSELLOR_GRACE_SECONDS"] = GRACE
    return app_config


def crash(counsellor: Counsellor) -> None:
    """The laptop's connection is gone: no close frame, the TCP connection just ends."""
    raw = counsellor.socket.ws.socket
    raw.shutdown(socket.SHUT_RDWR)
    raw.close()


def stored(app, conversation_id: int) -> Conversation:
    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        db.session.expunge_all()
        return conversation


def csrf_of(counsellor: Counsellor) -> str:
    page = counsellor.http.get(f"{counsellor.live.url}/console/", timeout=5).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def chat_with(live, nickname="Mila") -> tuple[Visitor, Counsellor, int]:
    mila = Visitor(live)
    mila.start(nickname)
    sofie = Counsellor(live)
    sofie.connect()
    chat = sofie.take()
    mila.socket.expect("state", status="active")
    sofie.say(chat["id"], "Hallo, ik ben Sofie.", "c-1")
    mila.say("Ik wil praten over thuis.", "v-1")
    mila.socket.expect("message", seq=2)
    return mila, sofie, chat["id"]


def test_a_crashed_console_hands_its_chat_to_the_head_of_the_queue(app, live):
    mila, sofie, chat_id = chat_with(live)
    noor = Visitor(live)
    assert noor.start("Noor")["position"] == 1

    crash(sofie)

    notice = mila.socket.expect("message", timeout=GRACE + 8, seq=3)
    assert (notice["sender"], notice["author"], notice["text"]) == ("system", None, RETURNED_NOTICE)
    waiting = mila.socket.expect("state", status="waiting")
    assert (waiting["position"], waiting["counsellor"]) == (1, None)  # ahead of Noor, who came earlier
    noor.socket.expect("queue", position=2)

    jonas = Counsellor(live, "jonas")
    jonas.connect()
    queue = jonas.socket.expect("queue")
    assert [(e["id"], e["returned"]) for e in queue["head"]] == [(chat_id, True), (noor.conversation_id, False)]
    chat = jonas.take()  # "next" takes the returned chat first
    assert chat["id"] == chat_id and chat["taken_over"] is True and chat["site"] == "Testschool"
    assert [(m["seq"], m["sender"]) for m in chat["messages"]] == [(1, "counsellor"), (2, "visitor"), (3, "system")]
    assert mila.socket.expect("state", status="active")["counsellor"] == "Jonas"
    jonas.say(chat_id, "Ik ben Jonas, ik neem over.", "j-1")
    assert mila.socket.expect("message", seq=4)["author"] == "Jonas"
    mila.say("Oké, dank je.", "v-2")
    assert jonas.socket.expect("message", seq=5)["text"] == "Oké, dank je."

    jonas.socket.send({"type": "end", "conversation_id": chat_id})
    mila.socket.expect("state", status="ended")
    record = stored(app, chat_id)
    assert record.outcome == "answered" and record.requeued_at is not None
    assert record.picked_up_at < record.requeued_at  # the waiting time stays the first pick-up's


def test_a_counsellor_back_within_the_grace_period_keeps_their_chats(app, live):
    mila, sofie, chat_id = chat_with(live)
    crash(sofie)
    time.sleep(GRACE / 3)
    hello = sofie.connect()
    assert [c["id"] for c in hello["chats"]] == [chat_id]

    time.sleep(GRACE + 2)  # well past the grace period of the first connection

    assert not [f for f in mila.socket.drain() if f["type"] == "state"]
    sofie.say(chat_id, "Sorry, mijn wifi viel weg.", "c-2")
    assert mila.socket.expect("message", seq=3)["author"] == "Sofie"
    assert stored(app, chat_id).requeued_at is None


def test_logging_out_with_an_open_chat_asks_first_and_hands_it_back(app, live):
    mila, sofie, chat_id = chat_with(live)
    token = csrf_of(sofie)

    asked = sofie.http.post(f"{live.url}/console/logout", data={"csrf_token": token}, allow_redirects=False,
                            timeout=5)
    assert asked.status_code == 200 and "Je hebt nog 1 open gesprek" in asked.text
    assert stored(app, chat_id).status == "active"  # asking changed nothing
    assert sofie.http.get(f"{live.url}/console/", allow_redirects=False, timeout=5).status_code == 200

    done = sofie.http.post(f"{live.url}/console/logout", data={"csrf_token": token, "open_chats": "hand_back"},
                           allow_redirects=False, timeout=5)
    assert done.status_code == 302 and done.headers["Location"].endswith("/console/login")
    assert sofie.socket.expect("released", conversation_id=chat_id)
    assert mila.socket.expect("message", seq=3)["text"] == RETURNED_NOTICE
    assert mila.socket.expect("state", status="waiting")["position"] == 1
    assert sofie.http.get(f"{live.url}/console/", allow_redirects=False, timeout=5).status_code == 302


def test_logging_out_can_end_the_open_chats_instead(app, live):
    mila, sofie, chat_id = chat_with(live)
    done = sofie.http.post(f"{live.url}/console/logout", data={"csrf_token": csrf_of(sofie), "open_chats": "end"},
                           allow_redirects=False, timeout=5)
    assert done.status_code == 302
    assert mila.socket.expect("state", status="ended")["ended_by"] == "counsellor"
    assert sofie.socket.expect("ended", conversation_id=chat_id)["by"] == "counsellor"
    assert stored(app, chat_id).outcome == "answered"


def test_a_quick_exit_reaches_the_counsellor_as_snel_weg(app, live):
    mila, sofie, chat_id = chat_with(live)
    mila.socket.send({"type": "leave", "reason": "quick_exit"})
    assert sofie.socket.expect("ended", conversation_id=chat_id)["by"] == "quick_exit"
    assert stored(app, chat_id).outcome == "abandoned"


def test_a_deactivated_counsellors_console_is_closed_and_their_chat_handed_back(app, live):
    mila, sofie, chat_id = chat_with(live)
    with app.app_context(), unit_of_work() as (session, _outbox):
        session.execute(update(User).where(User.username == "sofie").values(active=False))

    with pytest.raises(ConnectionClosed) as closed:
        while True:
            sofie.socket.ws.recv(timeout=GRACE + 5)
    assert closed.value.rcvd.code == 1008
    assert mila.socket.expect("message", timeout=GRACE + 8, seq=3)["text"] == RETURNED_NOTICE
