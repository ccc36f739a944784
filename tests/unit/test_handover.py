"""Hand-over to a colleague (domain/handover.py): offer to a named colleague or a discipline group, with
a staff-only note; accept moves the chat in the same thread; decline, cancel or no answer in time leave
it with the sender; two accepting at once: one wins; never back into the queue."""

from datetime import timedelta

import pytest

from clbchat.domain import channels, conversations, handover, participants, queue, requeue, staff_thread
from clbchat.domain.errors import DomainError
from clbchat.models import Conversation, HandOver, Message

from .conftest import MAX_CHATS, T0

NOW = T0 + timedelta(minutes=10)
LIFETIME = timedelta(seconds=60)


@pytest.fixture
def team(session, make_user, active_chat, counsellor):
    """The chat's counsellor (Sofie), and online: Nora (nurse), Arne (doctor), Jonas (social worker)."""
    people = {"sofie": counsellor}
    for name, discipline in (("nora", "nurse"), ("arne", "doctor"), ("jonas", "social_worker")):
        people[name] = make_user(name)
        people[name].discipline = discipline
    session.commit()
    conversations.touch_counsellors(session, [u.id for u in people.values()], NOW - timedelta(seconds=5))
    session.commit()
    return people


def offer(session, chat, sender, outbox=None, to_user=None, to_group=None, note="Vraag over medicatie.", at=NOW):
    return handover.offer(session, chat.id, sender, to_user.id if to_user else None, to_group, note, at, LIFETIME,
                          MAX_CHATS, [] if outbox is None else outbox)


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


def test_an_offer_to_a_group_reaches_its_members_online_and_keeps_the_note_for_staff(session, team, active_chat):
    outbox = []
    offered = offer(session, active_chat, team["sofie"], outbox, to_group="medical")
    reached = {channel for channel, event in outbox if event["type"] == "handover_offer"}
    assert reached == {channels.user_channel(team["nora"].id), channels.user_channel(team["arne"].id)}
    assert [line["text"] for line in staff_thread.transcript(session, active_chat.id)] == ["Vraag over medicatie."]
    # The note is in no message the visitor reads, and nothing was said to the visitor yet.
    assert session.query(Message).filter_by(conversation_id=active_chat.id).count() == 0
    assert session.get(Conversation, active_chat.id).counsellor_id == team["sofie"].id
    assert [h.id for h in handover.offers_for(session, team["nora"], NOW, MAX_CHATS)] == [offered.id]
    assert handover.offers_for(session, team["jonas"], NOW, MAX_CHATS) == []


def test_accepting_moves_the_chat_in_the_same_thread_and_records_both_stints(session, team, active_chat):
    conversations.post_message(session, active_chat.id, "visitor", "v-1", "Ik neem pillen", NOW, [])
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    outbox = []
    chat = handover.accept(session, offered.id, team["nora"], NOW + timedelta(seconds=20), MAX_CHATS, outbox)
    session.commit()
    assert (chat.counsellor_id, chat.status) == (team["nora"].id, "active")
    lines = conversations.transcript(session, chat)
    assert [(m["seq"], m["sender"], m["text"]) for m in lines] == [
        (1, "visitor", "Ik neem pillen"),
        (2, "system", "Je wordt doorverbonden met een collega (verpleegkundige)."),
    ]
    stints = [(p.user.username, p.left_because) for p in participants.of(session, chat.id)]
    assert stints == [("sofie", "handed_over"), ("nora", None)]
    assert session.get(HandOver, offered.id).outcome == "accepted"
    kinds = {(channel, event["type"]) for channel, event in outbox}
    assert (channels.conversation_channel(chat.id), "status") in kinds
    assert (channels.user_channel(team["sofie"].id), "handover_answer") in kinds
    assert (channels.STAFF_CHANNEL, "handover_closed") in kinds
    # The new owner writes; the old one no longer can.
    conversations.post_message(session, chat.id, "counsellor", "c-1", "Hoi, ik ben Nora", NOW, [],
                               author=team["nora"])
    assert refused(lambda: conversations.post_message(session, chat.id, "counsellor", "c-2", "Nog iets", NOW, [],
                                                      author=team["sofie"])).code == "not_your_chat"


def test_of_two_accepting_at_once_one_wins(session, team, active_chat):
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    handover.accept(session, offered.id, team["nora"], NOW, MAX_CHATS, [])
    assert refused(lambda: handover.accept(session, offered.id, team["arne"], NOW, MAX_CHATS, [])).code \
        == "handover_gone"
    assert session.get(Conversation, active_chat.id).counsellor_id == team["nora"].id


def test_only_the_named_colleague_or_the_group_may_accept(session, team, active_chat):
    named = offer(session, active_chat, team["sofie"], to_user=team["jonas"])
    for outsider in (team["nora"], team["sofie"]):
        assert refused(lambda o=outsider: handover.accept(session, named.id, o, NOW, MAX_CHATS, [])).code \
            == "not_for_you"


def test_a_named_decline_ends_the_offer_and_the_chat_stays(session, team, active_chat):
    named = offer(session, active_chat, team["sofie"], to_user=team["jonas"])
    outbox = []
    handover.decline(session, named.id, team["jonas"], NOW, outbox)
    assert session.get(HandOver, named.id).outcome == "declined"
    assert ("handover_answer", "declined", "Jonas") in {(e["type"], e.get("outcome"), e.get("by")) for _, e in outbox}
    chat = session.get(Conversation, active_chat.id)
    assert (chat.status, chat.counsellor_id) == ("active", team["sofie"].id)


def test_a_group_members_no_leaves_the_offer_open_for_the_others(session, team, active_chat):
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    handover.decline(session, offered.id, team["nora"], NOW, [])
    assert session.get(HandOver, offered.id).outcome is None
    handover.accept(session, offered.id, team["arne"], NOW, MAX_CHATS, [])
    assert session.get(Conversation, active_chat.id).counsellor_id == team["arne"].id


def test_no_answer_in_time_lapses_and_the_chat_stays_not_in_the_queue(session, team, active_chat):
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    assert handover.lapse_due(session, NOW + timedelta(seconds=59), []) == []
    outbox = []
    assert handover.lapse_due(session, NOW + LIFETIME, outbox) == [offered.id]
    assert ("handover_answer", "expired") in {(e["type"], e.get("outcome")) for _, e in outbox}
    assert refused(lambda: handover.accept(session, offered.id, team["nora"], NOW + LIFETIME, MAX_CHATS, [])).code \
        == "handover_gone"
    chat = session.get(Conversation, active_chat.id)
    assert (chat.status, chat.counsellor_id) == ("active", team["sofie"].id)
    assert queue.snapshot(session, NOW + LIFETIME, MAX_CHATS).order == []


def test_one_offer_at_a_time_and_a_cancel_opens_the_way(session, team, active_chat):
    first = offer(session, active_chat, team["sofie"], to_user=team["jonas"])
    assert refused(lambda: offer(session, active_chat, team["sofie"], to_group="medical")).code == "handover_pending"
    handover.cancel(session, first.id, team["sofie"], NOW, [])
    assert offer(session, active_chat, team["sofie"], to_group="medical").id != first.id


def test_ending_the_chat_voids_its_offer(session, team, active_chat):
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    conversations.end(session, session.get(Conversation, active_chat.id), "visitor", NOW, [])
    assert session.get(HandOver, offered.id).outcome == "cancelled"
    assert refused(lambda: handover.accept(session, offered.id, team["nora"], NOW, MAX_CHATS, [])).code \
        == "handover_gone"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"to_group": "medical", "note": "   "}, "note"),
    ({"to_group": "medical", "note": "x" * 1001}, "note"),
    ({"to_group": "astronaut"}, "to_group"),
    ({}, "to"),
    ({"to_user": "self"}, "to_user_id"),
])
def test_a_bad_offer_names_the_field_and_changes_nothing(session, team, active_chat, kwargs, field):
    if kwargs.get("to_user") == "self":
        kwargs = {"to_user": team["sofie"]}
    error = refused(lambda: offer(session, active_chat, team["sofie"], **kwargs))
    assert error.details.get("field") == field
    session.rollback()
    assert session.query(HandOver).count() == 0


def test_nobody_free_in_the_group_or_a_colleague_who_is_not_the_owner(session, team, active_chat, make_user):
    error = refused(lambda: offer(session, active_chat, team["sofie"], to_group="psycho_pedagogue"))
    assert (error.code, error.details["field"]) == ("nobody_free", "to_group")
    assert refused(lambda: offer(session, active_chat, team["jonas"], to_group="medical")).code == "not_your_chat"


def test_the_visitor_line_names_only_a_discipline():
    assert handover.visitor_notice("doctor") == "Je wordt doorverbonden met een collega (arts)."
    assert handover.visitor_notice("other") == "Je wordt doorverbonden met een collega."


def test_the_old_owner_cannot_end_a_chat_handed_over_meanwhile(session, team, active_chat):
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    handover.accept(session, offered.id, team["nora"], NOW, MAX_CHATS, [])
    error = refused(lambda: conversations.end_by_staff(session, active_chat.id, team["sofie"], NOW, []))
    assert error.code == "not_your_chat"
    chat = session.get(Conversation, active_chat.id)
    assert (chat.status, chat.counsellor_id) == ("active", team["nora"].id)


def test_an_accept_after_the_chat_went_back_to_the_queue_is_refused(session, team, active_chat):
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    assert requeue.hand_back(session, active_chat.id, team["sofie"].id, NOW, [])
    assert session.get(HandOver, offered.id).outcome == "cancelled"
    assert refused(lambda: handover.accept(session, offered.id, team["nora"], NOW, MAX_CHATS, [])).code \
        == "handover_gone"


def test_only_a_member_of_the_group_may_decline_a_group_offer(session, team, active_chat):
    offered = offer(session, active_chat, team["sofie"], to_group="medical")
    assert refused(lambda: handover.decline(session, offered.id, team["jonas"], NOW, [])).code == "not_for_you"
