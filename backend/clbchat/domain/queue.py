"""The waiting queue: asking for a chat, positions, the snapshot consoles see, and taking a visitor.

The queue is the set of conversations with status "waiting", ordered by (queue_lane, requested_at, id):
a chat that lost its counsellor (LANE_RETURNED, domain/requeue.py) goes before every new request
(LANE_NEW), and within a lane it is first come, first served. Taking a
visitor is one conditional UPDATE (`... WHERE status = 'waiting'`), so of two counsellors taking the
same visitor at the same instant exactly one wins, on SQLite and PostgreSQL alike.
"""

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, literal, select, tuple_, update

from ..models import Conversation, User, UTCDateTime
from . import participants
from .channels import QUEUE_CHANNEL, conversation_channel
from .errors import DomainError
from .estimates import QueueRate

PICKUP_WINDOW = timedelta(minutes=60)
ONLINE_WINDOW = timedelta(seconds=45)
CONSOLE_HEAD = 50
ADMISSION_LOCK_KEY = 0x434C4201  # "CLB" 1: PostgreSQL advisory lock key for admissions to the queue
# One admission of this process at a time goes on to wait for the database's turn (see request_chat):
# in a burst the others wait here, holding no database connection, instead of each holding one of the
# pool's while PostgreSQL makes it wait (which left no connection for sockets and pages: 503s).
admission_turn = threading.Lock()
LANE_RETURNED, LANE_NEW = 0, 1


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ChatRequest:
    conversation_id: int
    token: str | None  # None when turned away


@dataclass(frozen=True)
class QueueEntry:
    id: int
    nickname: str
    visitor_role: str | None
    requested_at: datetime
    returned: bool  # back because its counsellor was gone (LANE_RETURNED)


@dataclass(frozen=True)
class QueueSnapshot:
    """The whole queue in order (ids only), the first CONSOLE_HEAD entries for the consoles, and what
    estimates need. On PostgreSQL the two reads may straddle a change; the next broadcast, 100 ms
    later, sets that right."""

    order: list[int]
    head: list[QueueEntry]
    rate: QueueRate

    def positions(self) -> dict[int, int]:
        return {conversation_id: index + 1 for index, conversation_id in enumerate(self.order)}


def waiting_count(session) -> int:
    return session.scalar(select(func.count()).where(Conversation.status == "waiting"))


def request_chat(session, site_id: int, nickname: str, visitor_role: str | None, ref: str | None,
                 queue_max: int, now: datetime, outbox: list) -> ChatRequest:
    """Record the request. At the configured maximum it is recorded as turned away and gets no token.

    The maximum is exact: admissions take turns (`_admissions_in_turn`), so of any number of
    requests at the same instant, on any number of hosts, no more get a place than there are left.
    Call it in a unit of work (a write transaction), which it keeps short, opened while holding
    `admission_turn`.
    """
    _admissions_in_turn(session)
    if waiting_count(session) >= queue_max:
        conversation = Conversation(site_id=site_id, ref=ref, visitor_role=visitor_role, status="ended",
                                    outcome="turned_away", ended_by="system", requested_at=now, ended_at=now)
        session.add(conversation)
        session.flush()
        return ChatRequest(conversation.id, None)
    token = secrets.token_urlsafe(32)
    conversation = Conversation(site_id=site_id, ref=ref, nickname=nickname, visitor_role=visitor_role,
                                status="waiting", requested_at=now, visitor_seen_at=now,
                                token_hash=hash_token(token))
    session.add(conversation)
    session.flush()
    outbox.append((QUEUE_CHANNEL, {"type": "queue_changed"}))
    return ChatRequest(conversation.id, token)


def _admissions_in_turn(session) -> None:
    """Make this transaction's count-then-insert the only one under way until it commits.

    A plain count and insert lets every request of a burst see the same places left (49 and 42
    admitted of 30 with 300 requests over two hosts). On PostgreSQL the transaction waits here for an
    advisory lock that commit or rollback releases; at READ COMMITTED the count that follows then
    sees every admission committed before. On SQLite the unit of work already holds the database's
    one write lock (BEGIN IMMEDIATE, sqlite_locking.py), so its count is current and nothing else
    can insert before it commits.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(ADMISSION_LOCK_KEY)))


def position_of(session, conversation: Conversation) -> int | None:
    if conversation.status != "waiting":
        return None
    ahead = session.scalar(
        select(func.count()).where(
            Conversation.status == "waiting",
            # A plain tuple on the right takes the columns' types (UTCDateTime for the time).
            tuple_(*_QUEUE_ORDER) < (conversation.queue_lane, conversation.requested_at, conversation.id),
        )
    )
    return ahead + 1


def queue_rate(session, now: datetime, chats_per_counsellor: int) -> QueueRate:
    """What the estimates need, in two aggregate queries: it is read on every queue move and by every
    visitor who (re)connects while waiting, so it reads no row lists."""
    recent_pickups, oldest_pickup = session.execute(
        select(func.count(), func.min(Conversation.picked_up_at))
        .where(Conversation.picked_up_at >= now - PICKUP_WINDOW)
    ).one()
    # Each counsellor online with their open chats: who is online, and how many more chats they can
    # take on now (a visitor within those places is next, domain/estimates.py). Coordinators watch the
    # console but do not take from the queue, so they count for neither.
    open_chats = (
        select(func.count()).where(Conversation.counsellor_id == User.id, Conversation.status == "active")
        .scalar_subquery()
    )
    online = session.execute(
        select(User.max_chats, open_chats)
        .where(User.active.is_(True), User.role == "counsellor", User.console_seen_at >= now - ONLINE_WINDOW)
    ).all()
    free_places = sum(max((max_chats or chats_per_counsellor) - chats, 0) for max_chats, chats in online)
    return QueueRate(counsellors_online=len(online), chats_per_counsellor=chats_per_counsellor,
                     recent_pickups=recent_pickups, oldest_pickup=oldest_pickup, now=now, free_places=free_places)


def snapshot(session, now: datetime, chats_per_counsellor: int) -> QueueSnapshot:
    # Positions need only the ids; the consoles' head needs more, but of a few rows.
    head = session.execute(
        _waiting_in_order(Conversation.id, Conversation.nickname, Conversation.visitor_role,
                          Conversation.requested_at, Conversation.queue_lane == LANE_RETURNED).limit(CONSOLE_HEAD)
    ).all()
    return QueueSnapshot(
        order=list(session.scalars(_waiting_in_order(Conversation.id))),
        head=[QueueEntry(*row) for row in head],
        rate=queue_rate(session, now, chats_per_counsellor),
    )


_QUEUE_ORDER = (Conversation.queue_lane, Conversation.requested_at, Conversation.id)


def _waiting_in_order(*columns):
    return select(*columns).where(Conversation.status == "waiting").order_by(*_QUEUE_ORDER)


def take(session, counsellor: User, conversation_id: int | None, default_max_chats: int,
         now: datetime, outbox: list) -> Conversation:
    """Give the counsellor the next waiting visitor (or the one asked for). Raises DomainError."""
    max_chats = counsellor.max_chats or default_max_chats
    open_chats = session.scalar(
        select(func.count()).where(Conversation.counsellor_id == counsellor.id, Conversation.status == "active")
    )
    if open_chats >= max_chats:
        raise DomainError("chat_limit", f"Je hebt al {max_chats} gesprekken open.")
    if conversation_id is not None:
        if not _claim(session, conversation_id, counsellor, now):
            exists = session.get(Conversation, conversation_id)
            if exists is None:
                raise DomainError("invalid", "Deze bezoeker bestaat niet.")
            if exists.status != "active":
                raise DomainError("wrong_state", "Deze bezoeker wacht niet meer.", conversation_id=conversation_id)
            raise DomainError("already_taken", "Een collega nam deze bezoeker al.", conversation_id=conversation_id)
        claimed = conversation_id
    else:
        claimed = None
        # Another counsellor may claim the head between our read and our update; then try the next one.
        for _attempt in range(20):
            head = session.scalar(_waiting_in_order(Conversation.id).limit(1))
            if head is None:
                raise DomainError("queue_empty", "Er wacht niemand.")
            if _claim(session, head, counsellor, now):
                claimed = head
                break
        if claimed is None:
            raise DomainError("already_taken", "Een collega was je voor; probeer opnieuw.")
    conversation = session.get(Conversation, claimed)
    session.refresh(conversation)
    outbox.append((QUEUE_CHANNEL, {"type": "queue_changed"}))
    outbox.append((conversation_channel(claimed), {"type": "status", "conversation_id": claimed}))
    return conversation


def _claim(session, conversation_id: int, counsellor: User, now: datetime) -> bool:
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == "waiting")
        # A chat that comes back from the queue keeps its first pick-up: the visitor's waiting time.
        .values(status="active", counsellor_id=counsellor.id,
                picked_up_at=func.coalesce(Conversation.picked_up_at, literal(now, UTCDateTime())))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    participants.begin(session, conversation_id, counsellor.id, "owner", now)
    return True
