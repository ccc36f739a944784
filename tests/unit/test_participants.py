"""Every counsellor who took part in a chat is recorded with their times (domain/participants.py):
taken, handed back to the queue, taken by a colleague, ended."""

from datetime import timedelta

from clbchat.domain import conversations, participants, queue, requeue

from .conftest import MAX_CHATS, T0


def test_each_owner_stint_is_recorded_with_its_times_and_why_it_ended(session, ask, counsellor, make_user):
    colleague = make_user("jonas")
    request, _ = ask("Kiwi", T0)
    chat = queue.take(session, counsellor, request.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    assert requeue.hand_back(session, chat.id, counsellor.id, T0 + timedelta(minutes=5), [])
    chat = queue.take(session, colleague, None, MAX_CHATS, T0 + timedelta(minutes=6), [])
    assert conversations.end(session, chat, "counsellor", T0 + timedelta(minutes=30), [])
    session.commit()
    stints = [(p.user.username, p.role, p.joined_at - T0, p.left_at - T0, p.left_because)
              for p in participants.of(session, chat.id)]
    assert stints == [
        ("sofie", "owner", timedelta(minutes=1), timedelta(minutes=5), "requeued"),
        ("jonas", "owner", timedelta(minutes=6), timedelta(minutes=30), "ended"),
    ]


def test_a_chat_nobody_took_has_no_participants(session, ask):
    request, _ = ask("Kiwi", T0)
    conversation = session.get(conversations.Conversation, request.conversation_id)
    assert conversations.end(session, conversation, "visitor", T0 + timedelta(minutes=2), [])
    assert participants.of(session, request.conversation_id) == []


def test_a_lost_race_for_a_visitor_records_no_stint(session, ask, counsellor, make_user):
    request, _ = ask("Kiwi", T0)
    queue.take(session, counsellor, request.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    colleague = make_user("jonas")
    try:
        queue.take(session, colleague, request.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    except queue.DomainError as exc:
        assert exc.code == "already_taken"
    assert [p.user.username for p in participants.of(session, request.conversation_id)] == ["sofie"]
