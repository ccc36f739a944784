"""Who may do what with a chat (domain/permissions.py): the table in its docstring, row by row, and
that the layers ask it (a colleague's message, end, crisis mark and registration are refused)."""

from datetime import timedelta

import pytest

from clbchat.domain import conversations, crisis, permissions, queue
from clbchat.domain.errors import DomainError
from clbchat.models import Participation

from .conftest import MAX_CHATS, T0

ACTIONS = ["read", "write", "whisper", "watch", "join", "end", "hand_over", "mark_crisis", "ask_help"]
# The docstring's table: the actions each relation allows.
ALLOWED = {
    ("counsellor", "owner"): {"read", "write", "whisper", "end", "hand_over", "mark_crisis", "ask_help"},
    ("counsellor", None): set(),
    ("coordinator", "owner"): {"read", "write", "whisper", "end", "hand_over", "mark_crisis", "ask_help"},
    ("coordinator", "joined"): {"read", "write", "whisper"},
    ("coordinator", "watcher"): {"read", "whisper", "join"},
    ("coordinator", None): {"read", "watch", "join"},
}


@pytest.mark.parametrize(("role", "related"), list(ALLOWED))
def test_each_relation_allows_exactly_its_actions(role, related):
    staff = permissions.Staff(7, role, "Lotte")
    assert {a for a in ACTIONS if permissions.may(staff, a, related)} == ALLOWED[(role, related)]


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        permissions.may(permissions.Staff(1, "counsellor", "Lotte"), "delete", "owner")


def _participate(session, conversation, user, role, left=False):
    session.add(Participation(conversation_id=conversation.id, user_id=user.id, role=role, joined_at=T0,
                              left_at=T0 + timedelta(minutes=3) if left else None))
    session.commit()


def test_relation_is_read_from_the_chat_and_the_open_participations(session, active_chat, counsellor, coordinator,
                                                                     make_user):
    colleague = make_user("jonas")
    assert permissions.relation(session, active_chat, counsellor) == "owner"
    assert permissions.relation(session, active_chat, colleague) is None
    assert permissions.relation(session, active_chat, coordinator) is None
    _participate(session, active_chat, coordinator, "watcher", left=True)
    assert permissions.relation(session, active_chat, coordinator) is None  # stopped looking
    _participate(session, active_chat, coordinator, "watcher")
    assert permissions.relation(session, active_chat, coordinator) == "watcher"
    # A counsellor's participation row (none should exist) gives no coordinator's rights.
    _participate(session, active_chat, colleague, "joined")
    assert permissions.relation(session, active_chat, colleague) is None


def test_require_names_a_missing_chat_and_refuses_a_colleague(session, active_chat, counsellor, make_user):
    assert permissions.require(session, active_chat.id, counsellor, "end") is active_chat
    colleague = make_user("jonas")
    for conversation_id, code in ((active_chat.id, "not_your_chat"), (999, "not_found")):
        with pytest.raises(DomainError) as info:
            permissions.require(session, conversation_id, colleague, "read")
        assert (info.value.code, info.value.details["conversation_id"]) == (code, conversation_id)


def test_a_colleague_can_neither_write_in_nor_mark_a_chat_that_is_not_theirs(session, active_chat, make_user):
    colleague = make_user("jonas")
    now = T0 + timedelta(minutes=2)
    with pytest.raises(DomainError) as info:
        conversations.post_message(session, active_chat.id, "counsellor", "c-1", "Hallo", now, [], author=colleague)
    assert info.value.code == "not_your_chat"
    with pytest.raises(DomainError) as info:
        crisis.mark(session, active_chat.id, colleague, True, now)
    assert (info.value.code, info.value.details["field"]) == ("not_your_chat", "conversation_id")
    session.rollback()
    assert session.get(type(active_chat), active_chat.id).last_seq == 0


def test_a_coordinator_watching_may_not_write_as_the_counsellor(session, ask, coordinator, counsellor):
    request, _ = ask()
    chat = queue.take(session, counsellor, request.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    _participate(session, chat, coordinator, "watcher")
    with pytest.raises(DomainError) as info:
        conversations.post_message(session, chat.id, "counsellor", "c-1", "Hallo", T0 + timedelta(minutes=2), [],
                                   author=coordinator)
    assert info.value.code == "not_your_chat"
