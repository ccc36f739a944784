"""The chat loop on a real server with real WebSocket clients: queue, take, chat, end, rate."""

import threading

from sqlalchemy import select

from clbchat.extensions import db
from clbchat.models import Conversation, Message

from ..clients import Counsellor, Visitor


def _conversation(app, conversation_id) -> Conversation:
    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        db.session.expunge_all()
        return conversation


def test_full_chat_from_queue_to_rating(app, live):
    mila, noor = Visitor(live), Visitor(live)
    assert mila.start("Mila")["position"] == 1
    state = noor.start("Noor", "parent")
    assert (state["status"], state["position"]) == ("waiting", 2)

    sofie = Counsellor(live)
    assert sofie.connect()["chats"] == []
    queue = sofie.socket.expect("queue")
    assert queue["waiting"] == 2 and [e["nickname"] for e in queue["head"]] == ["Mila", "Noor"]
    assert queue["head"][1]["visitor_role"] == "parent"

    chat = sofie.take()
    assert (chat["id"], chat["nickname"], chat["status"]) == (mila.conversation_id, "Mila", "active")
    started = mila.socket.expect("state", status="active")
    assert started["counsellor"] == "Sofie" and started["position"] is None
    # Noor moves up, and with Sofie online and a place free (1 chat of 2) hears she is next.
    moved = noor.socket.expect("queue", position=1)
    assert moved["estimate_seconds"] == 0

    ack = sofie.say(chat["id"], "Hallo Mila, waarover wil je praten?", "c-1")
    assert ack["seq"] == 1
    hello = mila.socket.expect("message", seq=1)
    assert (hello["sender"], hello["author"], hello["text"]) == ("counsellor", "Sofie",
                                                                 "Hallo Mila, waarover wil je praten?")
    mila.socket.send({"type": "typing", "active": True})
    assert sofie.socket.expect("typing", conversation_id=chat["id"])["active"] is True
    assert mila.say("Over mijn studiekeuze", "v-1")["seq"] == 2
    assert sofie.socket.expect("message", seq=2)["author"] == "Mila"
    assert mila.socket.expect("message", seq=2)["client_id"] == "v-1"  # own message echoed with its seq

    sofie.socket.send({"type": "end", "conversation_id": chat["id"]})
    assert sofie.socket.expect("ended", conversation_id=chat["id"])["by"] == "counsellor"
    ended = mila.socket.expect("state", status="ended")
    assert ended["ended_by"] == "counsellor" and ended["rated"] is False

    mila.socket.send({"type": "rate", "stars": 4, "comment": "Dank je, het hielp."})
    assert mila.socket.expect("state", rated=True)
    stored = _conversation(app, chat["id"])
    assert (stored.outcome, stored.rating_stars, stored.rating_comment) == ("answered", 4, "Dank je, het hielp.")
    assert stored.picked_up_at >= stored.requested_at and stored.ended_at >= stored.picked_up_at


def test_leaving_the_queue_moves_everyone_behind_up(app, live):
    visitors = [Visitor(live) for _ in range(3)]
    for i, visitor in enumerate(visitors):
        assert visitor.start(f"Bezoeker{i}")["position"] == i + 1
    visitors[0].socket.send({"type": "leave"})
    assert visitors[0].socket.expect("state", status="ended")["ended_by"] == "visitor"
    assert visitors[1].socket.expect("queue", position=1)
    assert visitors[2].socket.expect("queue", position=2)
    assert _conversation(app, visitors[0].conversation_id).outcome == "left_waiting"


def test_a_counsellor_holds_several_chats_up_to_the_limit(live):
    visitors = [Visitor(live) for _ in range(3)]
    for i, visitor in enumerate(visitors):
        visitor.start(f"Bezoeker{i}")
    sofie = Counsellor(live)
    sofie.connect()
    first, second = sofie.take(), sofie.take()
    assert {first["id"], second["id"]} == {visitors[0].conversation_id, visitors[1].conversation_id}
    sofie.socket.send({"type": "take"})
    assert sofie.socket.expect("error")["code"] == "chat_limit"
    sofie.say(first["id"], "voor eerste", "a")
    sofie.say(second["id"], "voor tweede", "b")
    assert visitors[0].socket.expect("message", seq=1)["text"] == "voor eerste"
    assert visitors[1].socket.expect("message", seq=1)["text"] == "voor tweede"
    # Each chat gets only its own messages.
    assert [f for f in visitors[0].socket.drain() if f["type"] == "message"] == []


def test_two_counsellors_taking_the_same_visitor_at_once_exactly_one_wins(live):
    sofie, jonas = Counsellor(live, "sofie"), Counsellor(live, "jonas")
    sofie.connect()
    jonas.connect()
    for round_number in range(5):
        visitor = Visitor(live)
        visitor.start(f"Race{round_number}")
        barrier = threading.Barrier(2)

        def take(counsellor, barrier=barrier, conversation_id=visitor.conversation_id):
            barrier.wait()
            counsellor.socket.send({"type": "take", "conversation_id": conversation_id})

        threads = [threading.Thread(target=take, args=(c,)) for c in (sofie, jonas)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results = {}
        for name, counsellor in (("sofie", sofie), ("jonas", jonas)):
            frames = counsellor.socket.drain(1.0)
            results[name] = [f for f in frames if f["type"] in ("chat", "error")]
        outcomes = sorted(r[0]["type"] for r in results.values())
        assert outcomes == ["chat", "error"], results
        loser = next(r[0] for r in results.values() if r[0]["type"] == "error")
        assert loser["code"] == "already_taken"
        winner = next(c for c, r in ((sofie, results["sofie"]), (jonas, results["jonas"])) if r[0]["type"] == "chat")
        winner.socket.send({"type": "end", "conversation_id": visitor.conversation_id})
        winner.socket.expect("ended")


def test_the_visitor_can_end_the_chat_and_the_counsellor_is_told(app, chat):
    mila, sofie, conversation_id = chat
    mila.socket.send({"type": "leave"})
    assert sofie.socket.expect("ended", conversation_id=conversation_id)["by"] == "visitor"
    mila.socket.expect("state", status="ended")
    mila.socket.close()  # leaving without a rating is allowed: recorded as no rating
    stored = _conversation(app, conversation_id)
    assert stored.outcome == "answered" and stored.rating_stars is None


def test_reconnect_resumes_with_nothing_lost_and_nothing_doubled(app, chat):
    mila, sofie, conversation_id = chat
    sofie.say(conversation_id, "een", "c-1")
    assert mila.socket.expect("message", seq=1)

    mila.socket.close()  # the phone switches networks
    assert sofie.socket.expect("presence", conversation_id=conversation_id)["visitor_connected"] is False
    sofie.say(conversation_id, "twee", "c-2")
    sofie.say(conversation_id, "drie", "c-3")

    state = mila.connect(after_seq=1)
    assert state["status"] == "active"
    missed = [mila.socket.expect("message", seq=2), mila.socket.expect("message", seq=3)]
    assert [m["text"] for m in missed] == ["twee", "drie"]
    assert sofie.socket.expect("presence", conversation_id=conversation_id)["visitor_connected"] is True

    # A message whose ack was lost is resent with the same client id: stored once.
    first = mila.say("ben je er nog?", "v-9")
    again = mila.say("ben je er nog?", "v-9")
    assert first["seq"] == again["seq"] == 4
    assert sofie.socket.expect("message", seq=4)["text"] == "ben je er nog?"
    assert all(f.get("seq") != 4 for f in sofie.socket.drain(0.5) if f["type"] == "message")
    received = [f["seq"] for f in mila.socket.frames if f["type"] == "message"]
    assert received == [2, 3, 4]
    with app.app_context():
        seqs = db.session.scalars(select(Message.seq).where(Message.conversation_id == conversation_id)
                                  .order_by(Message.seq)).all()
    assert seqs == [1, 2, 3, 4]


def test_a_visitor_gone_past_the_grace_period_has_left(app, live):
    waiting, chatting = Visitor(live), Visitor(live)
    chatting.start("Chat")
    waiting.start("Wacht")
    sofie = Counsellor(live)
    sofie.connect()
    chat = sofie.take()
    chatting.socket.close()
    waiting.socket.close()
    assert sofie.socket.expect("presence", conversation_id=chat["id"])["visitor_connected"] is False
    # Grace is 3 s in tests; the sweep runs with each 1 s heartbeat.
    assert sofie.socket.expect("ended", timeout=10, conversation_id=chat["id"])["by"] == "system"
    assert _conversation(app, chat["id"]).outcome == "abandoned"
    assert sofie.socket.expect("queue", timeout=10, waiting=0)
    assert _conversation(app, waiting.conversation_id).outcome == "left_waiting"


def test_the_console_after_a_reconnect_gets_its_open_chats_back(chat):
    mila, sofie, conversation_id = chat
    mila.say("hallo", "v-1")
    sofie.socket.close()
    hello = sofie.connect()
    assert [c["id"] for c in hello["chats"]] == [conversation_id]
    assert [m["text"] for m in hello["chats"][0]["messages"]] == ["hallo"]


def test_an_old_socket_closing_after_a_new_one_attached_does_not_mark_the_visitor_away(app, chat):
    mila, sofie, conversation_id = chat
    old = mila.socket
    mila.connect(after_seq=0)  # the phone's new network attaches first ...
    assert sofie.socket.expect("presence", conversation_id=conversation_id)["visitor_connected"] is True
    old.close()  # ... and only then does the old connection's close reach the server
    presence = [f for f in sofie.socket.drain(1.5) if f["type"] == "presence"]
    assert presence == []
    assert _conversation(app, conversation_id).visitor_connected is True
    mila.socket.close()  # the current socket closing does mark the visitor away
    assert sofie.socket.expect("presence", conversation_id=conversation_id)["visitor_connected"] is False


def test_the_same_message_sent_on_two_sockets_at_once_is_stored_once(app, chat):
    mila, sofie, conversation_id = chat
    first = mila.socket
    mila.connect()  # a second socket for the same conversation (an old one not yet closed)
    second = mila.socket
    for round_number in range(5):
        client_id = f"dubbel-{round_number}"
        barrier = threading.Barrier(2)

        def send(socket, barrier=barrier, client_id=client_id):
            barrier.wait()
            socket.send({"type": "message", "client_id": client_id, "text": "één keer"})

        threads = [threading.Thread(target=send, args=(s,)) for s in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        acks = [first.expect("ack", client_id=client_id), second.expect("ack", client_id=client_id)]
        assert acks[0]["seq"] == acks[1]["seq"]
    sofie.socket.drain(1.0)
    received = [f["client_id"] for f in sofie.socket.frames if f["type"] == "message"]
    assert received == [f"dubbel-{i}" for i in range(5)]  # each once, in order
    with app.app_context():
        seqs = db.session.scalars(select(Message.seq).where(Message.conversation_id == conversation_id)
                                  .order_by(Message.seq)).all()
    assert seqs == [1, 2, 3, 4, 5]
