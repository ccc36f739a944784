"""The coordinator on call (domain/coordination.py): looking on is seen by the counsellor only, taking
part by the visitor too, a call for help reaches the coordinators online; the overview shows every
active chat."""

from datetime import timedelta

import pytest

from clbchat.domain import channels, conversations, coordination, crisis, handover, permissions, staff_thread
from clbchat.domain.errors import DomainError
from clbchat.models import Conversation

from .conftest import MAX_CHATS, T0

NOW = T0 + timedelta(minutes=10)


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


def visitor_lines(session, chat_id):
    return [(m["sender"], m["author"], m["text"])
            for m in conversations.transcript(session, session.get(Conversation, chat_id))]


def test_looking_on_tells_the_counsellor_and_not_the_visitor(session, active_chat, coordinator):
    outbox = []
    coordination.watch(session, active_chat.id, coordinator, NOW, outbox)
    assert permissions.relation(session, active_chat, coordinator) == "watcher"
    assert [line["text"] for line in staff_thread.transcript(session, active_chat.id)] == ["Coord kijkt mee."]
    assert visitor_lines(session, active_chat.id) == []
    assert coordination.staff_in(session, active_chat.id) == [
        {"id": coordinator.id, "display_name": "Coord", "role": "watcher"}]
    assert all(channel != channels.conversation_channel(active_chat.id) for channel, _ in outbox)


def test_a_watching_coordinator_whispers_but_cannot_write_to_the_visitor(session, active_chat, coordinator):
    coordination.watch(session, active_chat.id, coordinator, NOW, [])
    assert refused(lambda: conversations.post_message(session, active_chat.id, "coordinator", "k-1", "Hoi", NOW, [],
                                                      author=coordinator)).code == "not_your_chat"


def test_taking_part_is_seen_by_the_visitor_and_messages_carry_the_coordinators_name(session, active_chat,
                                                                                     coordinator):
    coordination.watch(session, active_chat.id, coordinator, NOW, [])
    coordination.join(session, active_chat.id, coordinator, NOW + timedelta(minutes=1), [])
    assert permissions.relation(session, active_chat, coordinator) == "joined"
    conversations.post_message(session, active_chat.id, "coordinator", "k-1", "Ik lees mee en help graag.",
                               NOW + timedelta(minutes=2), [], author=coordinator)
    assert visitor_lines(session, active_chat.id) == [
        ("system", None, coordination.JOINED_NOTICE),
        ("coordinator", "Coord", "Ik lees mee en help graag."),
    ]
    coordination.leave(session, active_chat.id, coordinator, NOW + timedelta(minutes=3), [])
    assert visitor_lines(session, active_chat.id)[-1] == ("system", None, coordination.LEFT_NOTICE)
    assert permissions.relation(session, active_chat, coordinator) is None
    assert coordination.staff_in(session, active_chat.id) == []


def test_only_coordinators_look_on_and_only_in_a_chat_going_on(session, active_chat, coordinator, make_user):
    colleague = make_user("jonas")
    assert refused(lambda: coordination.watch(session, active_chat.id, colleague, NOW, [])).code == "not_your_chat"
    assert refused(lambda: coordination.leave(session, active_chat.id, coordinator, NOW, [])).code == "wrong_state"
    conversations.end(session, session.get(Conversation, active_chat.id), "visitor", NOW, [])
    assert refused(lambda: coordination.watch(session, active_chat.id, coordinator, NOW, [])).code == "wrong_state"


def test_a_call_for_help_reaches_the_coordinators_online(session, active_chat, counsellor, coordinator):
    assert refused(lambda: coordination.ask_help(session, active_chat.id, counsellor, NOW, [])).code == "nobody_free"
    conversations.touch_counsellors(session, [coordinator.id], NOW - timedelta(seconds=5))
    outbox = []
    assert coordination.ask_help(session, active_chat.id, counsellor, NOW, outbox) == 1
    alerts = [event for channel, event in outbox if channel == channels.STAFF_CHANNEL and event["type"] == "help"]
    assert [(a["conversation_id"], a["counsellor"], a["nickname"]) for a in alerts] == [
        (active_chat.id, "Sofie", "Kiwi")]
    assert staff_thread.transcript(session, active_chat.id)[-1]["text"] == "Sofie vraagt hulp."


def test_the_overview_shows_every_active_chat_with_its_marks(session, active_chat, counsellor, coordinator,
                                                            make_user):
    nora = make_user("nora")
    nora.discipline = "nurse"
    session.commit()
    conversations.touch_counsellors(session, [counsellor.id, nora.id], NOW - timedelta(seconds=5))
    crisis.mark(session, active_chat.id, counsellor, True, NOW)
    handover.offer(session, active_chat.id, counsellor, None, "medical", "Graag een verpleegkundige.", NOW,
                   timedelta(seconds=60), MAX_CHATS, [])
    coordination.watch(session, active_chat.id, coordinator, NOW, [])
    view = coordination.overview(session, NOW)
    assert view["unregistered"] == 0
    assert [(c["id"], c["counsellor"], c["crisis"], c["handover_pending"], c["watchers"]) for c in view["chats"]] == [
        (active_chat.id, "Sofie", True, True, ["Coord"])]
    conversations.end(session, session.get(Conversation, active_chat.id), "counsellor", NOW, [])
    assert coordination.overview(session, NOW) == {"chats": [], "unregistered": 1}


def test_a_whisper_into_a_chat_that_just_ended_is_refused_and_stored_nowhere(session, active_chat, coordinator):
    coordination.watch(session, active_chat.id, coordinator, NOW, [])
    conversations.end(session, session.get(Conversation, active_chat.id), "visitor", NOW, [])
    error = refused(lambda: coordination.whisper(session, active_chat.id, coordinator, "w-9", "Nog iets?", NOW, []))
    assert (error.code, error.details["client_id"]) == ("wrong_state", "w-9")
    assert [line["kind"] for line in staff_thread.transcript(session, active_chat.id)] == ["event"]
