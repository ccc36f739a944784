"""Chats whose counsellor is gone go back to the head of the queue, with their transcript.

A counsellor's console that stays away past COUNSELLOR_GRACE_SECONDS (a crash, a closed lid, the
network) or who logs out and hands their chats back: each active chat becomes "waiting" again in
LANE_RETURNED, ahead of every new visitor; the visitor reads one system line in the thread and sees
their place in the queue; the next counsellor who takes it gets the whole transcript and sees that
it was taken over. It stays one conversation (one chat request in the report), and its first
pick-up time is kept (queue._claim).
"""

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..models import Conversation, User
from . import handover, participants
from .channels import QUEUE_CHANNEL, conversation_channel
from .conversations import end, post_system_message
from .queue import LANE_RETURNED

RETURNED_NOTICE = "Je gesprekspartner is weggevallen. We zoeken een collega voor je."


def hand_back(session, conversation_id: int, counsellor_id: int, now: datetime, outbox: list) -> bool:
    """Put this counsellor's active chat back in the queue; False when it is not (or no longer) theirs."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == "active",
               Conversation.counsellor_id == counsellor_id)
        .values(status="waiting", counsellor_id=None, queue_lane=LANE_RETURNED, requeued_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # The owner's stint ends, and a coordinator's look: the chat waits for whoever takes it next.
    participants.finish(session, conversation_id, now, "requeued")
    handover.close_for(session, conversation_id, now, outbox)
    post_system_message(session, conversation_id, RETURNED_NOTICE, now, outbox)
    outbox.append((conversation_channel(conversation_id), {"type": "status", "conversation_id": conversation_id}))
    outbox.append((QUEUE_CHANNEL, {"type": "queue_changed"}))
    return True


def active_chats_of(session, counsellor_id: int) -> list[int]:
    return list(session.scalars(
        select(Conversation.id).where(Conversation.counsellor_id == counsellor_id, Conversation.status == "active")
        .order_by(Conversation.picked_up_at, Conversation.id)
    ))


def sweep_absent_counsellors(session, grace: timedelta, now: datetime, outbox: list) -> list[int]:
    """Hand back the chats of counsellors whose console has not been seen for longer than `grace`.

    Safe in every process at once: rows are locked in id order, skipping those another process holds
    (see conversations.touch_visitors), and each hand-back is a conditional update.
    """
    orphaned = session.execute(
        select(Conversation.id, Conversation.counsellor_id)
        .join(User, User.id == Conversation.counsellor_id)
        .where(Conversation.status == "active",
               or_(User.console_seen_at.is_(None), User.console_seen_at < now - grace))
        .order_by(Conversation.id).with_for_update(skip_locked=True, of=Conversation)
    ).all()
    return [conversation_id for conversation_id, counsellor_id in orphaned
            if hand_back(session, conversation_id, counsellor_id, now, outbox)]


def release_for_logout(session, counsellor_id: int, end_chats: bool, now: datetime, outbox: list) -> int:
    """A counsellor logs out with open chats: end them, or hand them back; returns how many."""
    released = 0
    for conversation_id in active_chats_of(session, counsellor_id):
        if end_chats:
            released += end(session, session.get(Conversation, conversation_id), "counsellor", now, outbox,
                            owner_id=counsellor_id)
        else:
            released += hand_back(session, conversation_id, counsellor_id, now, outbox)
    return released
