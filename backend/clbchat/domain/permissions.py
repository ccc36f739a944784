"""Who may do what with a conversation: the one place that decides. Pages, the JSON API and both
sockets ask here (or, on the message hot path, run the same rule inside the SQL: see below).

A staff member stands in one relation to a chat:
  owner    the counsellor answering it now (`conversations.counsellor_id`);
  joined   a coordinator taking part visibly ("deelnemen");
  watcher  a coordinator looking on, unseen by the visitor ("meekijken");
  None     anyone else (a coordinator may still look at any chat).

| action       | owner | joined | watcher | other coordinator | other counsellor |
|--------------|-------|--------|---------|-------------------|------------------|
| read         | yes   | yes    | yes     | yes               | no               |
| write        | yes   | yes    | no      | no                | no               |
| whisper      | yes   | yes    | yes     | no                | no               |
| watch, join  | no    | no     | yes     | yes               | no               |
| end, hand_over, mark_crisis, ask_help | owner only                              |

A registration belongs to the counsellor who had the chat when it ended; they and the coordinators
may register it, read it and (the author within AUTHOR_EDIT_DAYS, a coordinator always) correct it
(domain/registration.py). The shared snippet library is the coordinators'.

The message hot path checks "write" for an owner in the UPDATE that takes the next seq
(`domain/conversations.py: _NEXT_SEQ_OF_OWNER`), saving a query per message; it is the same rule.
"""

from dataclasses import dataclass

from sqlalchemy import select

from ..models import Conversation, Participation
from .errors import DomainError

OWNER_ONLY = frozenset({"end", "hand_over", "mark_crisis", "ask_help"})
ACTIONS = frozenset({"read", "write", "whisper", "watch", "join"}) | OWNER_ONLY


@dataclass(frozen=True)
class Staff:
    """Who acts, as the sockets keep it (a `User` row serves as well)."""

    id: int
    role: str
    display_name: str


def is_coordinator(user) -> bool:
    return user.role == "coordinator"


def relation(session, conversation: Conversation, user) -> str | None:
    """owner, joined, watcher or None (see the module's table)."""
    if conversation.counsellor_id == user.id and conversation.counsellor_id is not None:
        return "owner"
    if not is_coordinator(user):
        return None
    return session.scalar(
        select(Participation.role).where(Participation.conversation_id == conversation.id,
                                         Participation.user_id == user.id, Participation.left_at.is_(None),
                                         Participation.role.in_(("joined", "watcher")))
        .order_by(Participation.id.desc()).limit(1)
    )


def may(user, action: str, related: str | None) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if related == "owner":
        return action not in ("watch", "join")
    if action in OWNER_ONLY or not is_coordinator(user):
        return False
    if action == "read":
        return True
    if related == "joined":
        return action in ("write", "whisper")
    if related == "watcher":
        return action in ("whisper", "join")
    return action in ("watch", "join")


def require(session, conversation_id: int, user, action: str, **details) -> Conversation:
    """The conversation, when `user` may do `action` with it; else DomainError (not_found, not_your_chat)
    with `details` (e.g. the field a form named it in)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise DomainError("not_found", "Dit gesprek bestaat niet.", conversation_id=conversation_id, **details)
    if not may(user, action, relation(session, conversation, user)):
        raise DomainError("not_your_chat", "Dit gesprek is niet van jou.", conversation_id=conversation_id,
                          **details)
    return conversation


def may_register(user, counsellor_id: int | None) -> bool:
    """A registration (or the chat it is for) is its counsellor's, and every coordinator's."""
    return counsellor_id == user.id or is_coordinator(user)
