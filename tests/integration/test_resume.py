"""A visitor who reconnects with `after_seq` N gets every message after N once, in order, and none
before: also when messages are posted while the new socket is attaching (after a restart, every
visitor reconnects while their chats go on)."""

import pytest

from clbchat.domain import conversations
from clbchat.models import Conversation
from clbchat.realtime import visitor as visitor_module
from clbchat.unit_of_work import unit_of_work

from ..clients import Visitor


@pytest.fixture(autouse=True)
def chatty(app_config):
    app_config["FLOOD_BURST"] = 100  # the counsellor here types faster than any person


def message_seqs(socket) -> list[int]:
    socket.drain()
    return [frame["seq"] for frame in socket.frames if frame["type"] == "message"]


def test_a_resume_after_many_messages_sends_only_the_later_ones(chat):
    mila, sofie, conversation_id = chat
    for i in range(1, 21):
        sofie.say(conversation_id, f"bericht {i}", f"c-{i}")
    mila.socket.expect("message", seq=20)
    mila.socket.close()

    mila.connect(after_seq=16)
    sofie.say(conversation_id, "bericht 21", "c-21")
    mila.socket.expect("message", seq=21)
    assert message_seqs(mila.socket) == [17, 18, 19, 20, 21]


def test_a_message_posted_while_the_visitor_attaches_does_not_replay_what_they_had(app, chat, monkeypatch):
    mila, sofie, conversation_id = chat
    for i in range(1, 17):
        sofie.say(conversation_id, f"bericht {i}", f"c-{i}")
    mila.socket.expect("message", seq=16)
    mila.socket.close()

    # The counsellor's next message is stored and published at the worst moment: after the new
    # socket subscribed to the chat's events and before it caught up. (Both buses deliver to this
    # process's subscribers in the publisher's thread, so this is that moment on either backend.)
    original_send_state = visitor_module.VisitorSession.send_state
    posted = []

    def send_state_with_a_message_in_between(session):
        if not posted:
            with unit_of_work() as (db_session, outbox):
                sofie = db_session.get(Conversation, conversation_id).counsellor
                posted.append(conversations.post_message(db_session, conversation_id, "counsellor", "c-17",
                                                         "bericht 17", visitor_module._now(), outbox, author=sofie))
        original_send_state(session)

    monkeypatch.setattr(visitor_module.VisitorSession, "send_state", send_state_with_a_message_in_between)
    assert mila.connect(after_seq=16)["status"] == "active"
    assert posted and posted[0]["seq"] == 17
    mila.socket.expect("message", seq=17)
    monkeypatch.undo()

    sofie.say(conversation_id, "bericht 18", "c-18")
    mila.socket.expect("message", seq=18)
    assert message_seqs(mila.socket) == [17, 18]  # nothing at or below 16, nothing twice, no gap


def test_a_second_visitor_socket_resuming_mid_stream_gets_no_duplicates(chat):
    mila, sofie, conversation_id = chat
    sofie.say(conversation_id, "een", "c-1")
    mila.socket.expect("message", seq=1)
    phone = Visitor(mila.live)
    phone.token = mila.token
    phone.connect(after_seq=1)
    for i in range(2, 12):
        sofie.say(conversation_id, f"bericht {i}", f"c-{i}")
    phone.socket.expect("message", seq=11)
    assert message_seqs(phone.socket) == list(range(2, 12))
