"""What a waiting visitor is told about the wait, with real sockets: next when a counsellor online has
a free place (also the moment one frees up), nothing promised when nobody is online."""

from ..clients import Counsellor, Visitor


def test_nobody_online_no_estimate_then_next_when_a_counsellor_with_room_comes_online(live):
    mila = Visitor(live)
    state = mila.start("Mila")
    assert (state["position"], state["estimate_seconds"]) == (1, None)  # nobody online: no guess

    sofie = Counsellor(live)
    sofie.connect()
    assert mila.socket.expect("queue", position=1)["estimate_seconds"] == 0  # Sofie has room: next


def test_a_visitor_behind_full_counsellors_hears_they_are_next_when_a_chat_ends(live):
    visitors = [Visitor(live) for _ in range(3)]
    for i, visitor in enumerate(visitors):
        visitor.start(f"Bezoeker{i}")
    sofie = Counsellor(live)
    sofie.connect()
    first, _second = sofie.take(), sofie.take()  # Sofie's limit is 2: full now
    third = visitors[2]
    full = third.socket.expect("queue", position=1)
    assert full["estimate_seconds"] > 0

    sofie.socket.send({"type": "end", "conversation_id": first["id"]})
    assert third.socket.expect("queue", position=1, estimate_seconds=0)
