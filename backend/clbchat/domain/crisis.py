"""The crisis mark on a chat: its counsellor marks (or unmarks) an active chat as a crisis. The mark
silences the console's duration aid and pre-ticks "crisis" in the registration's form; the visitor
never sees it."""

from datetime import datetime

from ..models import Conversation, User
from . import permissions
from .channels import STAFF_CHANNEL
from .errors import DomainError


def mark(session, conversation_id: int, user: User, crisis: bool, now: datetime,
         outbox: list | None = None) -> Conversation:
    """Set or clear `crisis_at` of the user's own active chat. Marking twice keeps the first time."""
    conversation = permissions.require(session, conversation_id, user, "mark_crisis", field="conversation_id")
    if conversation.status != "active":
        raise DomainError("wrong_state", "Alleen een lopend gesprek markeer je als crisis.", field="conversation_id")
    if not crisis:
        conversation.crisis_at = None
    elif conversation.crisis_at is None:
        conversation.crisis_at = now
    session.flush()
    if outbox is not None:  # the coordinators' overview shows the mark
        outbox.append((STAFF_CHANNEL, {"type": "overview_changed"}))
    return conversation
