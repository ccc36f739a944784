"""The coordinator on call: the live overview of the team, looking on in a chat ("meekijken"), taking
part visibly ("deelnemen"), leaving it again, and a counsellor's call for help ("hulp vragen").

Looking on is seen by the counsellor (a line in the staff thread and the chat's staff list), never by
the visitor. Taking part is seen by both: the visitor reads "Een coördinator neemt deel aan het
gesprek" and then the coordinator's messages under their display name (sender "coordinator"). A call
for help reaches every coordinator's console (the `staff` channel) and takes them to the chat.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..models import Conversation, HandOver, Participation, Registration, User
from . import audit, conversations, participants, permissions, staff_thread
from .channels import STAFF_CHANNEL, staff_thread_channel
from .errors import DomainError
from .queue import ONLINE_WINDOW
from .team import DISCIPLINE_LABELS

JOINED_NOTICE = "Een coördinator neemt deel aan het gesprek."
UNREGISTERED_WINDOW = timedelta(days=30)
LEFT_NOTICE = "De coördinator heeft het gesprek verlaten."


def watch(session, conversation_id: int, coordinator, now: datetime, outbox: list) -> Conversation:
    """Open a chat read-only; the counsellor sees that the coordinator looks on."""
    conversation = permissions.require(session, conversation_id, coordinator, "watch")
    _require_active(conversation)
    participants.begin(session, conversation_id, coordinator.id, "watcher", now)
    audit.record(session, coordinator.id, "watch", now, conversation_id, subject_id=conversation.counsellor_id)
    staff_thread.post_event(session, conversation_id, f"{coordinator.display_name} kijkt mee.", now, outbox)
    _staff_changed(conversation_id, outbox)
    return conversation


def join(session, conversation_id: int, coordinator, now: datetime, outbox: list) -> Conversation:
    """Take part visibly (from looking on, or straight away)."""
    conversation = permissions.require(session, conversation_id, coordinator, "join")
    _require_active(conversation)
    participants.finish(session, conversation_id, now, "stopped", user_id=coordinator.id, roles=("watcher",))
    participants.begin(session, conversation_id, coordinator.id, "joined", now)
    audit.record(session, coordinator.id, "join", now, conversation_id, subject_id=conversation.counsellor_id)
    conversations.post_system_message(session, conversation_id, JOINED_NOTICE, now, outbox)
    staff_thread.post_event(session, conversation_id, f"{coordinator.display_name} neemt deel aan het gesprek.",
                            now, outbox)
    _staff_changed(conversation_id, outbox)
    return conversation


def leave(session, conversation_id: int, coordinator, now: datetime, outbox: list) -> None:
    """Stop looking on or taking part; a coordinator who took part says goodbye to the visitor too."""
    conversation = session.get(Conversation, conversation_id)
    related = permissions.relation(session, conversation, coordinator) if conversation is not None else None
    if related not in ("watcher", "joined"):
        raise DomainError("wrong_state", "Je kijkt niet mee in dit gesprek.", conversation_id=conversation_id)
    participants.finish(session, conversation_id, now, "stopped", user_id=coordinator.id,
                        roles=("watcher", "joined"))
    audit.record(session, coordinator.id, "leave", now, conversation_id)
    if related == "joined" and conversation.status == "active":
        conversations.post_system_message(session, conversation_id, LEFT_NOTICE, now, outbox)
    staff_thread.post_event(session, conversation_id, f"{coordinator.display_name} is weg uit het gesprek.", now,
                            outbox)
    _staff_changed(conversation_id, outbox)


def ask_help(session, conversation_id: int, counsellor, now: datetime, outbox: list) -> int:
    """Alert every coordinator online; how many were reached. With none online, say so."""
    conversation = permissions.require(session, conversation_id, counsellor, "ask_help")
    _require_active(conversation)
    reached = session.scalar(select(func.count()).where(
        User.active.is_(True), User.role == "coordinator", User.console_seen_at >= now - ONLINE_WINDOW))
    if not reached:
        raise DomainError("nobody_free", "Er is nu geen coördinator online. Bel de coördinator van wacht.",
                          conversation_id=conversation_id)
    staff_thread.post_event(session, conversation_id, f"{counsellor.display_name} vraagt hulp.", now, outbox)
    audit.record(session, counsellor.id, "help", now, conversation_id)
    outbox.append((STAFF_CHANNEL, {"type": "help", "conversation_id": conversation_id,
                                   "counsellor": counsellor.display_name, "nickname": conversation.nickname,
                                   "asked_at": now.isoformat()}))
    return reached


def whisper(session, conversation_id: int, staff, client_id: str, text: str, now: datetime, outbox: list) -> dict:
    """A line for the staff in a chat only: its counsellor and the coordinators looking on or taking part."""
    # A chat that just ended says so first: its stints have closed, so "not yours" would mislead.
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None and conversation.status != "active":
        raise DomainError("wrong_state", "Dit gesprek is niet (meer) bezig.", conversation_id=conversation_id,
                          client_id=client_id)
    permissions.require(session, conversation_id, staff, "whisper", client_id=client_id)
    view = staff_thread.post(session, conversation_id, "whisper", staff, client_id, text, now, outbox)
    audit.record(session, staff.id, "whisper", now, conversation_id)
    return view


def chats_of(session, user_id: int) -> list[int]:
    """The active chats this coordinator looks on or takes part in now."""
    return list(session.scalars(
        select(Participation.conversation_id).join(Conversation, Conversation.id == Participation.conversation_id)
        .where(Participation.user_id == user_id, Participation.left_at.is_(None),
               Participation.role.in_(("watcher", "joined")), Conversation.status == "active")
        .order_by(Participation.joined_at)))


def staff_in(session, conversation_id: int) -> list[dict]:
    """The coordinators looking on or taking part now (the owner is the chat's counsellor)."""
    rows = session.execute(
        select(User.id, User.display_name, Participation.role)
        .join(User, User.id == Participation.user_id)
        .where(Participation.conversation_id == conversation_id, Participation.left_at.is_(None),
               Participation.role.in_(("watcher", "joined")))
        .order_by(Participation.joined_at)
    ).all()
    return [{"id": id_, "display_name": name, "role": role} for id_, name, role in rows]


def overview(session, now: datetime) -> dict:
    """The coordinator's live overview: every active chat with its counsellor, discipline, times, crisis
    mark, standing hand-over and who looks on; and how many answered chats wait for their registration."""
    pending = select(HandOver.conversation_id).where(HandOver.outcome.is_(None)).scalar_subquery()
    rows = session.execute(
        select(Conversation.id, Conversation.nickname, Conversation.visitor_role, Conversation.picked_up_at,
               Conversation.crisis_at, Conversation.id.in_(pending), User.id, User.display_name, User.discipline)
        .join(User, User.id == Conversation.counsellor_id)
        .where(Conversation.status == "active")
        .order_by(Conversation.picked_up_at, Conversation.id)
    ).all()
    watchers: dict[int, list[str]] = {}
    for conversation_id, name in session.execute(
            select(Participation.conversation_id, User.display_name).join(User, User.id == Participation.user_id)
            .join(Conversation, Conversation.id == Participation.conversation_id)
            .where(Conversation.status == "active", Participation.left_at.is_(None),
                   Participation.role.in_(("watcher", "joined")))):
        watchers.setdefault(conversation_id, []).append(name)
    # Of the last UNREGISTERED_DAYS: a bounded read (through ix_conversations_unpurged) however long the
    # history grows; an older chat without registration is the report's business, not the evening's.
    unregistered = session.scalar(
        select(func.count()).select_from(Conversation)
        .outerjoin(Registration, Registration.conversation_id == Conversation.id)
        .where(Conversation.token_hash.is_not(None), Conversation.ended_at >= now - UNREGISTERED_WINDOW,
               Conversation.status == "ended", Conversation.picked_up_at.is_not(None),
               Registration.conversation_id.is_(None)))
    chats = [{"id": id_, "nickname": nickname, "visitor_role": role, "picked_up_at": picked_up_at,
              "crisis": crisis_at is not None, "handover_pending": bool(handing_over), "counsellor_id": user_id,
              "counsellor": name, "discipline_label": DISCIPLINE_LABELS.get(discipline, discipline),
              "watchers": watchers.get(id_, [])}
             for id_, nickname, role, picked_up_at, crisis_at, handing_over, user_id, name, discipline in rows]
    return {"chats": chats, "unregistered": unregistered}


def _require_active(conversation: Conversation) -> None:
    if conversation.status != "active":
        raise DomainError("wrong_state", "Dit gesprek is niet (meer) bezig.", conversation_id=conversation.id)


def _staff_changed(conversation_id: int, outbox: list) -> None:
    """Who is in the chat changed: its staff re-read the list; coordinators' overviews refresh."""
    outbox.append((staff_thread_channel(conversation_id), {"type": "staff_in", "conversation_id": conversation_id}))
    outbox.append((STAFF_CHANNEL, {"type": "overview_changed"}))
