"""A chat whose counsellor is gone goes back to the head of the queue, with its transcript, once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clbchat.domain import channels, conversations, queue, requeue
from clbchat.domain.errors import DomainError
from clbchat.models import Conversation, Message

from .conftest import MAX_CHATS, T0

GRACE = timedelta(seconds=60)


def positions(session) -> dict[int, int]:
    return queue.snapshot(session, T0 + timedelta(hours=1), MAX_CHATS).positions()


def test_a_handed_back_chat_waits_ahead_of_every_new_visitor(session, ask, active_chat, counsellor):
    conversations.post_message(session, active_chat.id, "visitor", "v-1", "help", T0, [])
    first, _ = ask("Eerst", T0 + timedelta(minutes=2))
    second, _ = ask("Later", T0 + timedelta(minutes=3))
    outbox = []

    assert requeue.hand_back(session, active_chat.id, counsellor.id, T0 + timedelta(minutes=5), outbox)

    session.expire_all()
    chat = session.get(Conversation, active_chat.id)
    assert (chat.status, chat.counsellor_id, chat.queue_lane) == ("waiting", None, queue.LANE_RETURNED)
    assert chat.requeued_at == T0 + timedelta(minutes=5)
    assert positions(session) == {active_chat.id: 1, first.conversation_id: 2, second.conversation_id: 3}
    assert queue.position_of(session, chat) == 1
    assert queue.position_of(session, session.get(Conversation, second.conversation_id)) == 3
    lines = conversations.transcript(session, chat)
    assert [(m["seq"], m["sender"], m["text"]) for m in lines] == [
        (1, "visitor", "help"), (2, "system", requeue.RETURNED_NOTICE)]
    assert lines[1]["author"] is None
    channel = channels.conversation_channel(active_chat.id)
    assert [(c, e["type"]) for c, e in outbox] == [
        (channel, "message"), (channel, "status"), ("queue", "queue_changed")]


def test_only_the_chats_own_counsellor_can_hand_it_back_and_only_once(session, active_chat, counsellor, make_user):
    other = make_user("jonas")
    assert not requeue.hand_back(session, active_chat.id, other.id, T0, [])
    assert requeue.hand_back(session, active_chat.id, counsellor.id, T0, [])
    assert not requeue.hand_back(session, active_chat.id, counsellor.id, T0, [])
    assert session.scalar(select(func.count()).select_from(Message).where(Message.sender == "system")) == 1


def test_the_next_counsellor_takes_the_returned_chat_first_and_its_waiting_time_stays(session, ask, active_chat,
                                                                                     counsellor, make_user):
    ask("Nieuw", T0 + timedelta(minutes=2))
    requeue.hand_back(session, active_chat.id, counsellor.id, T0 + timedelta(minutes=5), [])
    jonas = make_user("jonas")

    taken = queue.take(session, jonas, None, MAX_CHATS, T0 + timedelta(minutes=6), [])

    assert taken.id == active_chat.id
    assert (taken.status, taken.counsellor_id) == ("active", jonas.id)
    assert taken.picked_up_at == T0 + timedelta(minutes=1)  # the first pick-up: the visitor's wait
    assert taken.requeued_at == T0 + timedelta(minutes=5)


def test_counsellors_away_past_the_grace_period_lose_their_chats_and_those_within_keep_them(
        session, ask, counsellor, make_user):
    jonas = make_user("jonas")
    gone, _ = ask("Gone", T0)
    kept, _ = ask("Kept", T0)
    queue.take(session, counsellor, gone.conversation_id, MAX_CHATS, T0, [])
    queue.take(session, jonas, kept.conversation_id, MAX_CHATS, T0, [])
    now = T0 + timedelta(minutes=10)
    conversations.touch_counsellors(session, [counsellor.id], now - GRACE - timedelta(seconds=1))
    conversations.touch_counsellors(session, [jonas.id], now - GRACE + timedelta(seconds=5))

    assert requeue.sweep_absent_counsellors(session, GRACE, now, []) == [gone.conversation_id]
    assert requeue.sweep_absent_counsellors(session, GRACE, now, []) == []

    session.expire_all()
    assert session.get(Conversation, gone.conversation_id).status == "waiting"
    assert session.get(Conversation, kept.conversation_id).counsellor_id == jonas.id


def test_a_counsellor_never_seen_in_a_console_counts_as_gone(session, active_chat, counsellor):
    assert counsellor.console_seen_at is None
    assert requeue.sweep_absent_counsellors(session, GRACE, T0 + timedelta(minutes=2), []) == [active_chat.id]


def test_a_returned_chat_ends_as_answered_or_abandoned_never_as_left_waiting(session, ask, counsellor):
    outcomes = []
    for vanished in (False, True):
        request, _ = ask("Kiwi", T0)
        chat = queue.take(session, counsellor, request.conversation_id, MAX_CHATS, T0, [])
        requeue.hand_back(session, chat.id, counsellor.id, T0 + timedelta(minutes=1), [])
        session.expire_all()
        chat = session.get(Conversation, chat.id)
        assert conversations.end(session, chat, "visitor", T0 + timedelta(minutes=2), [], visitor_vanished=vanished)
        outcomes.append(chat.outcome)
    assert outcomes == ["answered", "abandoned"]
    # One chat request each in the report: no second row was made.
    assert session.scalar(select(func.count()).select_from(Conversation)) == 2


def test_a_visitor_cannot_write_while_waiting_for_a_colleague(session, active_chat, counsellor):
    requeue.hand_back(session, active_chat.id, counsellor.id, T0, [])
    with pytest.raises(DomainError) as refused:
        conversations.post_message(session, active_chat.id, "visitor", "v-9", "hallo?", T0, [])
    assert refused.value.code == "wrong_state"
