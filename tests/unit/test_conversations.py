"""The conversation after the queue: messages, ending, rating, presence and the sweep of gone visitors."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clbchat.domain import conversations, queue
from clbchat.domain.errors import DomainError
from clbchat.models import Conversation, Message
from clbchat.unit_of_work import retrying_on_conflict

from .conftest import MAX_CHATS, T0

GRACE = timedelta(seconds=60)


def messages_of(session, conversation) -> list[tuple[int, str, str, str]]:
    rows = session.scalars(select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq))
    return [(m.seq, m.sender, m.client_id, m.body) for m in rows]


def post(session, conversation, sender, client_id, text, outbox=None, at=T0 + timedelta(minutes=2)):
    """As the sockets post: the first try without the look-up, and after a unique-key hit the retry
    with it (the savepoint stands in for the unit of work's rollback)."""

    def attempt(retry):
        with session.begin_nested():
            return conversations.post_message(
                session, conversation.id, sender, client_id, text, at, [] if outbox is None else outbox,
                author=conversation.counsellor if sender == "counsellor" else None, look_up_first=retry)

    return retrying_on_conflict(attempt)


def status_event(conversation_id: int) -> tuple[str, dict]:
    return (f"conversation:{conversation_id}", {"type": "status", "conversation_id": conversation_id})


@pytest.fixture
def waiting_chat(session, ask):
    request, _ = ask("Wacht", T0)
    return session.get(Conversation, request.conversation_id)


@pytest.fixture
def ended_chat(session, active_chat):
    conversations.end(session, active_chat, "counsellor", T0 + timedelta(minutes=20), [])
    return active_chat


# --- messages -------------------------------------------------------------------------------------

def test_messages_get_gap_free_sequence_numbers_across_both_senders(session, active_chat):
    views = [
        post(session, active_chat, "visitor", "v-1", "Hallo?"),
        post(session, active_chat, "counsellor", "c-1", "Dag Kiwi, waarmee kan ik je helpen?"),
        post(session, active_chat, "visitor", "v-2", "Ik twijfel over mijn studiekeuze."),
    ]
    assert [v["seq"] for v in views] == [1, 2, 3]
    assert messages_of(session, active_chat) == [
        (1, "visitor", "v-1", "Hallo?"),
        (2, "counsellor", "c-1", "Dag Kiwi, waarmee kan ik je helpen?"),
        (3, "visitor", "v-2", "Ik twijfel over mijn studiekeuze."),
    ]
    session.refresh(active_chat)
    assert active_chat.last_seq == 3


def test_sequence_numbers_are_per_conversation(session, ask, make_user):
    sofie, jonas = make_user("sofie"), make_user("jonas")
    a, _ = ask("A", T0)
    b, _ = ask("B", T0 + timedelta(seconds=1))
    chat_a = queue.take(session, sofie, a.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    chat_b = queue.take(session, jonas, b.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    assert post(session, chat_a, "visitor", "x", "a1")["seq"] == 1
    assert post(session, chat_b, "visitor", "x", "b1")["seq"] == 1
    assert post(session, chat_a, "counsellor", "y", "a2")["seq"] == 2
    # The author is the counsellor of that chat, not of another one.
    assert post(session, chat_b, "counsellor", "y", "b2")["author"] == "Jonas"
    assert post(session, chat_a, "counsellor", "z", "a3")["author"] == "Sofie"


def test_a_message_is_returned_and_published_as_its_view(session, active_chat, counsellor):
    outbox: list = []
    sent_at = T0 + timedelta(minutes=3)
    view = post(session, active_chat, "counsellor", "c-1", "Dag!", outbox, at=sent_at)
    assert view == {"conversation_id": active_chat.id, "seq": 1, "sender": "counsellor", "author": "Sofie",
                    "text": "Dag!", "client_id": "c-1", "sent_at": sent_at.isoformat()}
    assert outbox == [(f"conversation:{active_chat.id}", {"type": "message", **view})]
    assert post(session, active_chat, "visitor", "v-1", "Hoi")["author"] == "Kiwi"


def test_resending_the_same_client_id_returns_the_same_seq_and_stores_one_row(session, active_chat):
    first = post(session, active_chat, "visitor", "v-1", "Hallo?")
    post(session, active_chat, "counsellor", "c-1", "Dag!")
    outbox: list = []
    again = post(session, active_chat, "visitor", "v-1", "Hallo?", outbox)
    assert again["seq"] == first["seq"] == 1
    assert outbox == []  # nothing new to tell anyone
    assert session.scalar(select(func.count()).select_from(Message).where(Message.client_id == "v-1")) == 1
    session.refresh(active_chat)
    assert active_chat.last_seq == 2  # the resend used no sequence number
    assert post(session, active_chat, "visitor", "v-2", "Nog iets")["seq"] == 3


def test_on_the_first_try_a_resend_hits_the_unique_key_and_changes_nothing(session, active_chat):
    post(session, active_chat, "visitor", "v-1", "Hallo?")
    outbox: list = []
    with pytest.raises(IntegrityError), session.begin_nested():  # the caller's rollback
        conversations.post_message(session, active_chat.id, "visitor", "v-1", "Hallo?", T0, outbox,
                                   look_up_first=False)
    assert outbox == []
    assert messages_of(session, active_chat) == [(1, "visitor", "v-1", "Hallo?")]
    session.refresh(active_chat)
    assert active_chat.last_seq == 1  # rolled back with the failed insert


def test_a_resend_after_the_chat_ended_still_gets_its_stored_message(session, active_chat):
    first = post(session, active_chat, "visitor", "v-1", "Hallo?")
    conversations.end(session, active_chat, "counsellor", T0 + timedelta(minutes=5), [])
    outbox: list = []
    assert post(session, active_chat, "visitor", "v-1", "Hallo?", outbox) == first and outbox == []
    with pytest.raises(DomainError) as info:
        post(session, active_chat, "visitor", "v-2", "Nog iets?")
    assert info.value.code == "wrong_state"


def test_a_counsellor_cannot_post_in_a_colleagues_chat(session, active_chat, make_user):
    colleague = make_user("jonas")
    with pytest.raises(DomainError) as info:
        conversations.post_message(session, active_chat.id, "counsellor", "c-1", "Hallo", T0, [],
                                   author=colleague, look_up_first=False)
    assert info.value.code == "not_your_chat"
    assert messages_of(session, active_chat) == []
    session.refresh(active_chat)
    assert active_chat.last_seq == 0


def test_the_same_client_id_from_the_other_side_is_another_message(session, active_chat):
    assert post(session, active_chat, "visitor", "1", "van de bezoeker")["seq"] == 1
    assert post(session, active_chat, "counsellor", "1", "van de medewerker")["seq"] == 2
    assert len(messages_of(session, active_chat)) == 2


def test_a_message_of_2000_characters_is_accepted(session, active_chat):
    assert post(session, active_chat, "visitor", "v-1", "a" * 2000)["seq"] == 1


def test_a_message_over_2000_characters_is_too_long_and_stores_nothing(session, active_chat):
    outbox: list = []
    with pytest.raises(DomainError) as info:
        post(session, active_chat, "visitor", "v-1", "a" * 2001, outbox)
    assert info.value.code == "too_long"
    assert info.value.details == {"client_id": "v-1"}
    assert outbox == []
    assert messages_of(session, active_chat) == []
    session.refresh(active_chat)
    assert active_chat.last_seq == 0
    # The next message still gets seq 1.
    assert post(session, active_chat, "visitor", "v-2", "korter")["seq"] == 1


def test_a_message_to_a_waiting_conversation_is_wrong_state(session, waiting_chat):
    with pytest.raises(DomainError) as info:
        post(session, waiting_chat, "visitor", "v-1", "Is daar iemand?")
    assert info.value.code == "wrong_state"
    assert messages_of(session, waiting_chat) == []
    session.refresh(waiting_chat)
    assert waiting_chat.last_seq == 0


def test_a_message_to_an_ended_conversation_is_wrong_state(session, ended_chat):
    outbox: list = []
    with pytest.raises(DomainError) as info:
        post(session, ended_chat, "counsellor", "c-9", "Nog één ding", outbox)
    assert info.value.code == "wrong_state"
    assert outbox == []
    assert messages_of(session, ended_chat) == []


def test_html_in_a_message_is_stored_and_returned_verbatim(session, active_chat):
    text = '<script>alert(1)</script> & <b onmouseover="x()">vet</b>'
    view = post(session, active_chat, "visitor", "v-1", text)
    assert view["text"] == text
    assert messages_of(session, active_chat)[0][3] == text
    assert conversations.transcript(session, active_chat)[0]["text"] == text


def test_transcript_is_in_order_and_can_start_after_a_seq(session, active_chat):
    for i in range(1, 5):
        post(session, active_chat, "visitor" if i % 2 else "counsellor", f"m{i}", f"bericht {i}")
    assert [m["seq"] for m in conversations.transcript(session, active_chat)] == [1, 2, 3, 4]
    assert [m["text"] for m in conversations.transcript(session, active_chat, after_seq=2)] == ["bericht 3",
                                                                                                "bericht 4"]


# --- ending ---------------------------------------------------------------------------------------

def test_ending_a_waiting_conversation_is_left_waiting(session, waiting_chat):
    outbox: list = []
    at = T0 + timedelta(minutes=5)
    assert conversations.end(session, waiting_chat, "visitor", at, outbox) is True
    assert (waiting_chat.status, waiting_chat.outcome, waiting_chat.ended_by) == ("ended", "left_waiting", "visitor")
    assert waiting_chat.ended_at == at
    assert outbox == [status_event(waiting_chat.id), ("queue", {"type": "queue_changed"})]
    assert queue.waiting_count(session) == 0


def test_ending_an_active_chat_by_the_counsellor_is_answered(session, active_chat):
    outbox: list = []
    assert conversations.end(session, active_chat, "counsellor", T0 + timedelta(minutes=20), outbox) is True
    assert (active_chat.status, active_chat.outcome, active_chat.ended_by) == ("ended", "answered", "counsellor")
    # A place came free: the waiting visitors' estimates change (the first may be next now).
    assert outbox == [status_event(active_chat.id), ("queue", {"type": "queue_changed"})]


def test_ending_an_active_chat_by_the_visitor_is_answered(session, active_chat):
    assert conversations.end(session, active_chat, "visitor", T0 + timedelta(minutes=20), []) is True
    assert (active_chat.outcome, active_chat.ended_by) == ("answered", "visitor")


def test_a_visitor_who_vanished_from_an_active_chat_abandoned_it(session, active_chat):
    assert conversations.end(session, active_chat, "visitor", T0 + timedelta(minutes=5), [],
                             visitor_vanished=True) is True
    assert (active_chat.status, active_chat.outcome) == ("ended", "abandoned")


def test_ending_twice_returns_false_and_changes_nothing(session, active_chat):
    conversations.end(session, active_chat, "counsellor", T0 + timedelta(minutes=20), [])
    outbox: list = []
    assert conversations.end(session, active_chat, "visitor", T0 + timedelta(minutes=21), outbox,
                             visitor_vanished=True) is False
    assert outbox == []
    session.refresh(active_chat)
    assert (active_chat.outcome, active_chat.ended_by) == ("answered", "counsellor")
    assert active_chat.ended_at == T0 + timedelta(minutes=20)


def test_ending_with_a_stale_copy_after_another_session_ended_it_returns_false(app, session, active_chat):
    from sqlalchemy.orm import Session

    from clbchat.extensions import db

    # Keep a loaded copy that says "active" without holding a transaction (SQLite allows one writer).
    session.commit()
    session.refresh(active_chat)
    session.expunge(active_chat)
    session.commit()
    with Session(db.engine) as other:
        assert conversations.end(other, other.get(Conversation, active_chat.id), "visitor",
                                 T0 + timedelta(minutes=10), []) is True
        other.commit()
    session.add(active_chat)
    assert active_chat.status == "active"  # stale
    outbox: list = []
    assert conversations.end(session, active_chat, "counsellor", T0 + timedelta(minutes=11), outbox) is False
    assert outbox == []
    session.refresh(active_chat)
    assert active_chat.ended_by == "visitor"


# --- rating ---------------------------------------------------------------------------------------

def test_rating_an_ended_chat_stores_stars_and_comment(session, ended_chat):
    outbox: list = []
    at = T0 + timedelta(minutes=21)
    conversations.rate(session, ended_chat, 4, "  Goed geholpen, bedankt!  ", at, outbox)
    assert ended_chat.rating_stars == 4
    assert ended_chat.rating_comment == "Goed geholpen, bedankt!"
    assert ended_chat.rated_at == at
    assert outbox == [status_event(ended_chat.id)]


def test_rating_an_active_chat_is_wrong_state(session, active_chat):
    with pytest.raises(DomainError) as info:
        conversations.rate(session, active_chat, 5, None, T0 + timedelta(minutes=5), [])
    assert info.value.code == "wrong_state"
    session.refresh(active_chat)
    assert active_chat.rating_stars is None


def test_rating_a_chat_that_was_never_picked_up_is_wrong_state(session, waiting_chat):
    conversations.end(session, waiting_chat, "visitor", T0 + timedelta(minutes=5), [])
    with pytest.raises(DomainError) as info:
        conversations.rate(session, waiting_chat, 5, None, T0 + timedelta(minutes=6), [])
    assert info.value.code == "wrong_state"


def test_a_second_rating_is_wrong_state_and_keeps_the_first(session, ended_chat):
    conversations.rate(session, ended_chat, 5, "Top", T0 + timedelta(minutes=21), [])
    outbox: list = []
    with pytest.raises(DomainError) as info:
        conversations.rate(session, ended_chat, 1, "Toch niet", T0 + timedelta(minutes=22), outbox)
    assert info.value.code == "wrong_state"
    assert outbox == []
    session.refresh(ended_chat)
    assert (ended_chat.rating_stars, ended_chat.rating_comment) == (5, "Top")


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_outside_one_to_five_are_invalid(session, ended_chat, stars):
    with pytest.raises(DomainError) as info:
        conversations.rate(session, ended_chat, stars, None, T0 + timedelta(minutes=21), [])
    assert info.value.code == "invalid"
    session.refresh(ended_chat)
    assert ended_chat.rated_at is None


@pytest.mark.parametrize("stars", [1, 5])
def test_one_and_five_stars_are_valid(session, ended_chat, stars):
    conversations.rate(session, ended_chat, stars, None, T0 + timedelta(minutes=21), [])
    assert ended_chat.rating_stars == stars


def test_a_comment_over_500_characters_is_invalid(session, ended_chat):
    with pytest.raises(DomainError) as info:
        conversations.rate(session, ended_chat, 4, "x" * 501, T0 + timedelta(minutes=21), [])
    assert info.value.code == "invalid"
    session.refresh(ended_chat)
    assert ended_chat.rated_at is None


def test_a_comment_of_500_characters_is_kept_whole(session, ended_chat):
    conversations.rate(session, ended_chat, 4, "x" * 500, T0 + timedelta(minutes=21), [])
    session.refresh(ended_chat)
    assert ended_chat.rating_comment == "x" * 500


@pytest.mark.parametrize("comment", [None, "", "   \n\t "])
def test_a_blank_comment_is_stored_as_none(session, ended_chat, comment):
    conversations.rate(session, ended_chat, 3, comment, T0 + timedelta(minutes=21), [])
    session.refresh(ended_chat)
    assert ended_chat.rating_stars == 3
    assert ended_chat.rating_comment is None


# --- presence and the sweep -----------------------------------------------------------------------

def test_sweep_ends_only_conversations_whose_visitor_is_gone_past_the_grace(session, ask, counsellor):
    now = T0 + timedelta(minutes=10)
    gone_waiting, _ = ask("WegWacht", T0)
    gone_active, _ = ask("WegActief", T0 + timedelta(seconds=1))
    fresh_waiting, _ = ask("Vers", now - GRACE + timedelta(seconds=1))
    just_at_grace, _ = ask("Grens", now - GRACE)
    queue.take(session, counsellor, gone_active.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])

    outbox: list = []
    swept = conversations.sweep_gone_visitors(session, GRACE, now, outbox)

    assert sorted(swept) == sorted([gone_waiting.conversation_id, gone_active.conversation_id])
    waiting = session.get(Conversation, gone_waiting.conversation_id)
    active = session.get(Conversation, gone_active.conversation_id)
    assert (waiting.status, waiting.outcome, waiting.ended_by, waiting.ended_at) == (
        "ended", "left_waiting", "system", now)
    assert (active.status, active.outcome, active.ended_by, active.ended_at) == ("ended", "abandoned", "system", now)
    assert session.get(Conversation, fresh_waiting.conversation_id).status == "waiting"
    assert session.get(Conversation, just_at_grace.conversation_id).status == "waiting"
    assert sorted(outbox, key=str) == sorted([
        status_event(gone_waiting.conversation_id),
        ("queue", {"type": "queue_changed"}),
        status_event(gone_active.conversation_id),
    ], key=str)


def test_sweep_leaves_ended_conversations_alone(session, ended_chat):
    outbox: list = []
    assert conversations.sweep_gone_visitors(session, GRACE, T0 + timedelta(hours=5), outbox) == []
    assert outbox == []
    session.refresh(ended_chat)
    assert (ended_chat.outcome, ended_chat.ended_by) == ("answered", "counsellor")


def test_touch_visitors_keeps_them_alive(session, ask, counsellor):
    waiting, _ = ask("A", T0)
    active, _ = ask("B", T0)
    untouched, _ = ask("C", T0)
    queue.take(session, counsellor, active.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    now = T0 + timedelta(minutes=10)
    conversations.touch_visitors(session, [waiting.conversation_id, active.conversation_id], now - timedelta(seconds=5))

    swept = conversations.sweep_gone_visitors(session, GRACE, now, [])

    assert swept == [untouched.conversation_id]
    assert session.get(Conversation, waiting.conversation_id).status == "waiting"
    assert session.get(Conversation, active.conversation_id).status == "active"
    touched = session.get(Conversation, waiting.conversation_id)
    session.refresh(touched)
    assert touched.visitor_seen_at == now - timedelta(seconds=5)
    assert touched.visitor_connected is True


def test_touch_visitors_with_no_ids_does_nothing(session, waiting_chat):
    conversations.touch_visitors(session, [], T0 + timedelta(hours=1))
    session.refresh(waiting_chat)
    assert waiting_chat.visitor_seen_at == T0


def test_a_swept_waiting_visitor_frees_their_place_in_the_queue(session, ask):
    gone, _ = ask("Weg", T0)
    behind, _ = ask("Achter", T0 + timedelta(minutes=9, seconds=30))
    conversations.sweep_gone_visitors(session, GRACE, T0 + timedelta(minutes=10), [])
    assert queue.position_of(session, session.get(Conversation, behind.conversation_id)) == 1
    assert queue.position_of(session, session.get(Conversation, gone.conversation_id)) is None


# --- finding a conversation -----------------------------------------------------------------------

def test_by_token_finds_the_conversation_and_an_unknown_token_is_refused(session, ask):
    request, _ = ask()
    assert conversations.by_token(session, request.token).id == request.conversation_id
    with pytest.raises(DomainError) as info:
        conversations.by_token(session, request.token + "x")
    assert info.value.code == "unknown_token"


