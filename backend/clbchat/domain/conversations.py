"""The conversation lifecycle after the queue: messages, ending, rating, presence and the sweep.

waiting --take--> active --end--> ended (answered | abandoned)
waiting --leave/sweep--> ended (left_waiting)
active --counsellor gone--> waiting, at the head of the queue (requeue.py)
Every change is a conditional UPDATE on the current status, so concurrent actions cannot both win.
Message sequence numbers come from the conversation row (`last_seq`), so they are gap-free and
ordered per conversation on any database; the (conversation, sender, client_id) unique key makes a
resent message a no-op.
"""

from datetime import datetime, timedelta

from sqlalchemy import ARRAY, Integer, any_, bindparam, insert, select, update

from ..models import Conversation, Message, User
from . import handover, participants, permissions, views
from .channels import QUEUE_CHANNEL, conversation_channel
from .errors import DomainError
from .queue import hash_token

MESSAGE_MAX = 2000
COMMENT_MAX = 500


def by_token(session, token: str) -> Conversation:
    conversation = session.scalar(select(Conversation).where(Conversation.token_hash == hash_token(token)))
    if conversation is None:
        raise DomainError("unknown_token", "Dit gesprek bestaat niet (meer).")
    return conversation


def transcript(session, conversation: Conversation, after_seq: int = 0) -> list[dict]:
    """The thread as everyone in it sees it (visitor and staff alike), after `after_seq`."""
    rows = session.execute(
        select(Message, User.display_name)
        .outerjoin(User, User.id == Message.author_id)
        .where(Message.conversation_id == conversation.id, Message.seq > after_seq)
        .order_by(Message.seq)
    ).all()
    return [views.message(conversation.id, m.seq, m.sender, conversation.nickname, name, m.body, m.client_id,
                          m.created_at) for m, name in rows]


# The message path's statements, built once and run on the session's connection rather than through
# the ORM: that halves the CPU per stored message (1.8 -> 0.9 ms on PostgreSQL, docs/benchmarks.md).
_NEXT_SEQ = (
    update(Conversation)
    .where(Conversation.id == bindparam("conversation_id"), Conversation.status == "active")
    .values(last_seq=Conversation.last_seq + 1)
    .returning(Conversation.last_seq, Conversation.nickname, Conversation.counsellor_id,
               select(User.display_name).where(User.id == Conversation.counsellor_id).scalar_subquery())
)
# permissions.py: the owner may write; checked in the UPDATE itself, no query of its own.
_NEXT_SEQ_OF_OWNER = _NEXT_SEQ.where(Conversation.counsellor_id == bindparam("owner_id"))
_INSERT_MESSAGE = insert(Message)


def post_message(session, conversation_id: int, sender: str, client_id: str, text: str, now: datetime,
                 outbox: list, author=None, look_up_first: bool = True) -> dict:
    """Store a message once and return its view (with its seq). A resend returns the stored one.

    A counsellor's message needs its `author` (a `permissions.Staff` or `User`): the chat's owner. The normal path is
    two statements: an UPDATE that checks the chat and takes the next seq, and the INSERT. A resent
    client id is found by a look-up first, or, with `look_up_first=False` (the hot path, where
    resends are rare), by the unique key: the INSERT fails, the caller rolls back (seq included) and
    calls again with the look-up (`unit_of_work.retrying_on_conflict`).
    """
    if len(text) > MESSAGE_MAX:
        raise DomainError("too_long", f"Een bericht mag hoogstens {MESSAGE_MAX} tekens lang zijn.",
                          client_id=client_id)
    if look_up_first:
        stored = _stored_view(session, conversation_id, sender, client_id, author)
        if stored is not None:
            return stored
    connection = session.connection()
    if sender == "counsellor":
        result = connection.execute(_NEXT_SEQ_OF_OWNER, {"conversation_id": conversation_id, "owner_id": author.id})
    else:
        if sender == "coordinator":  # one who joined the chat (domain/coordination.py)
            permissions.require(session, conversation_id, author, "write", client_id=client_id)
        result = connection.execute(_NEXT_SEQ, {"conversation_id": conversation_id})
    row = result.one_or_none()
    if row is None:
        # A resend whose chat has ended since (the ack was lost) still gets its stored message.
        stored = None if look_up_first else _stored_view(session, conversation_id, sender, client_id, author)
        if stored is not None:
            return stored
        if sender == "counsellor":
            permissions.require(session, conversation_id, author, "write", client_id=client_id)  # not_your_chat
        raise DomainError("wrong_state", "Dit gesprek is niet (meer) bezig.", client_id=client_id)
    seq, nickname, owner_id, owner_name = row
    # A counsellor's message is by the chat's owner (checked above), a coordinator's by its author, a
    # visitor's by nobody on the staff.
    author_id, author_name = {"counsellor": (owner_id, owner_name),
                              "coordinator": (author.id, author.display_name) if author else (None, None)
                              }.get(sender, (None, None))
    connection.execute(_INSERT_MESSAGE, {"conversation_id": conversation_id, "seq": seq, "sender": sender,
                                         "author_id": author_id, "client_id": client_id, "body": text,
                                         "created_at": now})
    view = views.message(conversation_id, seq, sender, nickname, author_name, text, client_id, now)
    outbox.append((conversation_channel(conversation_id), {"type": "message", **view}))
    return view


def post_system_message(session, conversation_id: int, text: str, now: datetime, outbox: list) -> dict:
    """A line from the service in the thread (both sides read it), in its place in the seq order."""
    seq = session.execute(
        update(Conversation).where(Conversation.id == conversation_id)
        .values(last_seq=Conversation.last_seq + 1).returning(Conversation.last_seq)
    ).scalar_one()
    client_id = f"system-{seq}"
    session.execute(_INSERT_MESSAGE, {"conversation_id": conversation_id, "seq": seq, "sender": "system",
                                      "client_id": client_id, "body": text, "created_at": now})
    view = views.message(conversation_id, seq, "system", None, None, text, client_id, now)
    outbox.append((conversation_channel(conversation_id), {"type": "message", **view}))
    return view


def _stored_view(session, conversation_id: int, sender: str, client_id: str, author):
    row = session.execute(
        select(Message, User.display_name).outerjoin(User, User.id == Message.author_id)
        .where(Message.conversation_id == conversation_id, Message.sender == sender, Message.client_id == client_id)
    ).one_or_none()
    if row is None:
        return None
    message, author_name = row
    if sender in ("counsellor", "coordinator"):
        conversation = permissions.require(session, conversation_id, author,
                                           "write" if sender == "counsellor" else "read")
    else:
        conversation = session.get(Conversation, conversation_id)
    return views.message(conversation_id, message.seq, sender, conversation.nickname, author_name, message.body,
                         client_id, message.created_at)


def end(session, conversation: Conversation, by: str, now: datetime, outbox: list,
        visitor_vanished: bool = False, owner_id: int | None = None) -> bool:
    """End a waiting or active conversation; False when it had already ended, or (with `owner_id`: a
    staff member ends it) when it is no longer theirs: handed over or back in the queue meanwhile.

    A visitor who left the queue before anyone picked up "left_waiting"; a chat ended with the end
    button by either side was "answered"; a chat whose visitor vanished (quick exit, or gone past the
    grace period) "abandoned". A chat waiting again after its counsellor was gone (domain/requeue.py)
    had been picked up, so it counts as answered or abandoned, once.
    """
    was = conversation.status
    if was not in ("waiting", "active"):
        return False
    # A chat waiting for a colleague after its counsellor was gone had been answered.
    picked_up = conversation.picked_up_at is not None
    outcome = ("abandoned" if visitor_vanished else "answered") if picked_up else "left_waiting"
    query = (update(Conversation).where(Conversation.id == conversation.id, Conversation.status == was)
             .values(status="ended", outcome=outcome, ended_by=by, ended_at=now)
             .execution_options(synchronize_session=False))
    if owner_id is not None:  # permissions.py: only the owner ends it; checked in the UPDATE itself
        query = query.where(Conversation.counsellor_id == owner_id)
    result = session.execute(query)
    if result.rowcount != 1:
        return False
    participants.finish(session, conversation.id, now, "ended")
    handover.close_for(session, conversation.id, now, outbox)
    session.refresh(conversation)
    outbox.append((conversation_channel(conversation.id), {"type": "status", "conversation_id": conversation.id}))
    # Either the queue got shorter or a counsellor got a place free: positions or estimates change.
    # Once per unit of work is enough (the sweep may end many).
    queue_changed = (QUEUE_CHANNEL, {"type": "queue_changed"})
    if queue_changed not in outbox:
        outbox.append(queue_changed)
    return True


def end_by_staff(session, conversation_id: int, staff, now: datetime, outbox: list) -> Conversation:
    """The chat's counsellor ends it ("Gesprek beëindigen"): refused when it ended already, or when it
    was handed over or went back to the queue since (the UPDATE checks the owner)."""
    conversation = permissions.require(session, conversation_id, staff, "end")
    if not end(session, conversation, "counsellor", now, outbox, owner_id=staff.id):
        session.refresh(conversation)
        if conversation.status == "ended":
            raise DomainError("wrong_state", "Dit gesprek is al beëindigd.", conversation_id=conversation_id)
        raise DomainError("not_your_chat", "Dit gesprek is niet (meer) van jou.", conversation_id=conversation_id)
    return conversation


def rate(session, conversation: Conversation, stars: int, comment: str | None, now: datetime,
         outbox: list) -> None:
    if conversation.status != "ended" or conversation.picked_up_at is None:
        raise DomainError("wrong_state", "Je kan pas een beoordeling geven als het gesprek voorbij is.")
    if not 1 <= stars <= 5:
        raise DomainError("invalid", "Geef 1 tot 5 sterren.")
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        raise DomainError("invalid", f"Je opmerking mag hoogstens {COMMENT_MAX} tekens lang zijn.")
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.rated_at.is_(None))
        .values(rating_stars=stars, rating_comment=comment, rated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError("wrong_state", "Je gaf al een beoordeling. Bedankt!")
    session.refresh(conversation)
    outbox.append((conversation_channel(conversation.id), {"type": "status", "conversation_id": conversation.id}))


def id_among(column, ids: list[int], session):
    """`column IN ids`, as `= ANY(array)` on PostgreSQL: one parameter instead of thousands, so the
    statement text stays the same for any number of ids (the heartbeat sends thousands)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def touch_visitors(session, conversation_ids: list[int], now: datetime) -> None:
    """Heartbeat: these visitors are still connected to this process.

    Rows are locked in id order and rows another transaction holds are skipped (they miss one
    beat, well inside the grace period): a multi-row update in arbitrary order deadlocked against
    the sweep under load. SQLite has no row locks and ignores FOR UPDATE.
    """
    if conversation_ids:
        alive = (select(Conversation.id).where(id_among(Conversation.id, conversation_ids, session))
                 .order_by(Conversation.id).with_for_update(skip_locked=True))
        session.execute(
            update(Conversation).where(Conversation.id.in_(alive.scalar_subquery()))
            .values(visitor_seen_at=now, visitor_connected=True)
            .execution_options(synchronize_session=False)
        )


def visitor_gone(session, conversation_id: int, epoch: int, now: datetime) -> bool:
    """The visitor socket of this epoch closed; False when a newer socket has attached since."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.visitor_epoch == epoch)
        .values(visitor_connected=False, visitor_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def touch_counsellors(session, user_ids: list[int], now: datetime) -> list[int]:
    """Heartbeat: these staff consoles are still connected. Returns those of the ids that belong to
    deactivated users: they are not kept online (so their chats go back to the queue after the grace
    period), and their consoles are closed."""
    if not user_ids:
        return []
    session.execute(
        update(User).where(id_among(User.id, user_ids, session), User.active.is_(True)).values(console_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(select(User.id).where(id_among(User.id, user_ids, session),
                                                      User.active.is_(False))))


def sweep_gone_visitors(session, grace: timedelta, now: datetime, outbox: list) -> list[int]:
    """End the conversations whose visitor has not been seen for longer than the grace period.

    Safe to run in every process at once: each end is a conditional update, so only one wins.
    """
    gone = session.scalars(
        select(Conversation).where(Conversation.status.in_(["waiting", "active"]),
                                   Conversation.visitor_seen_at < now - grace)
        .order_by(Conversation.id).with_for_update(skip_locked=True, of=Conversation)  # see touch_visitors
    ).all()
    return [c.id for c in gone if end(session, c, "system", now, outbox, visitor_vanished=True)]
