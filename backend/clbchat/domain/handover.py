"""Passing a chat on to a colleague: offer, accept, decline, cancel, lapse.

A counsellor offers one of their active chats to a named colleague who is online, or to a group
("any nurse or doctor", one discipline), with a note only staff read. While the offer stands the chat
stays theirs and messages go on as before. The first eligible colleague to accept becomes the owner
in one conditional UPDATE (two accepting at once: one wins); the visitor reads one neutral line and
then the new name, in the same thread, seq and socket. A decline by the named colleague, a cancel by
the sender, or no answer within HANDOVER_SECONDS leaves the chat with the sender, who is told. An
offered chat never goes back into the queue.

Events: the offer goes to each eligible colleague's `user:<id>` channel; every change of an offer to
the `staff` channel (`handover_closed`, so each console drops an offer it shows) and to the sender's
`user:<id>` (`handover_answer`); an accepted hand-over also moves the chat (`status` on its channel).
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..models import Conversation, HandOver, User
from ..models.staff import DISCIPLINES, MEDICALLY_TRAINED
from . import audit, conversations, participants, permissions, staff_thread
from .channels import STAFF_CHANNEL, conversation_channel, user_channel
from .errors import DomainError
from .queue import ONLINE_WINDOW
from .team import DISCIPLINE_LABELS

NOTE_MAX = 1000
# Whom an offer to a group reaches: "medical" is any nurse or doctor; each discipline is a group too.
GROUPS = {"medical": MEDICALLY_TRAINED, **{d: (d,) for d in DISCIPLINES}}
GROUP_LABELS = {"medical": "verpleegkundige of arts", **{d: DISCIPLINE_LABELS[d].lower() for d in DISCIPLINES}}


def colleagues_online(session, now: datetime, default_max_chats: int) -> list[dict]:
    """Counsellors whose console is online, with discipline and load: whom a chat can be handed to."""
    open_chats = (select(func.count()).where(Conversation.counsellor_id == User.id, Conversation.status == "active")
                  .scalar_subquery())
    rows = session.execute(
        select(User.id, User.display_name, User.discipline, User.max_chats, open_chats)
        .where(User.active.is_(True), User.role == "counsellor", User.console_seen_at >= now - ONLINE_WINDOW)
        .order_by(User.display_name)
    ).all()
    return [{"id": id_, "display_name": name, "discipline": discipline,
             "discipline_label": DISCIPLINE_LABELS.get(discipline, discipline), "open_chats": chats,
             "max_chats": max_chats or default_max_chats}
            for id_, name, discipline, max_chats, chats in rows]


def _receivers(session, handover: HandOver, now: datetime, default_max_chats: int) -> list[dict]:
    """Colleagues online who may accept this offer now: the named one, or those of the group; never the
    sender; only with a free place."""
    found = []
    for colleague in colleagues_online(session, now, default_max_chats):
        if colleague["id"] == handover.from_user_id or colleague["open_chats"] >= colleague["max_chats"]:
            continue
        if handover.to_user_id is not None and colleague["id"] != handover.to_user_id:
            continue
        if handover.to_group is not None and colleague["discipline"] not in GROUPS[handover.to_group]:
            continue
        found.append(colleague)
    return found


def offer(session, conversation_id: int, sender, to_user_id: int | None, to_group: str | None, note: str,
          now: datetime, lifetime: timedelta, default_max_chats: int, outbox: list) -> HandOver:
    # One offer at a time per chat, and none for a chat that is ending: take the conversation's row lock
    # first (SQLite's write transaction already serialises), as ending and requeueing do.
    session.execute(select(Conversation.id).where(Conversation.id == conversation_id).with_for_update())
    conversation = permissions.require(session, conversation_id, sender, "hand_over")
    if conversation.status != "active":
        raise DomainError("wrong_state", "Alleen een lopend gesprek geef je door.", conversation_id=conversation_id)
    if (to_user_id is None) == (to_group is None):
        raise DomainError("invalid", "Kies één collega of één discipline.", field="to")
    if to_user_id == sender.id:
        raise DomainError("invalid", "Kies een collega, niet jezelf.", field="to_user_id")
    if to_group is not None and to_group not in GROUPS:
        raise DomainError("invalid", "Kies een discipline uit de lijst.", field="to_group")
    note = (note or "").strip()
    if not note:
        raise DomainError("invalid", "Schrijf een korte overdrachtsnota voor je collega.", field="note")
    if len(note) > NOTE_MAX:
        raise DomainError("invalid", f"Een overdrachtsnota is hoogstens {NOTE_MAX} tekens.", field="note")
    standing = open_offer(session, conversation_id)
    if standing is not None and standing.expires_at <= now:  # lapsed, the sweep has not seen it yet
        _close(session, standing, "expired", now)
        standing = None
    if standing is not None:
        raise DomainError("handover_pending", "Dit gesprek wacht al op een collega.", conversation_id=conversation_id)
    handover = HandOver(conversation_id=conversation_id, from_user_id=sender.id, to_user_id=to_user_id,
                        to_group=to_group, note=note, offered_at=now, expires_at=now + lifetime)
    receivers = _receivers(session, handover, now, default_max_chats)
    if not receivers:
        field = "to_user_id" if to_user_id is not None else "to_group"
        raise DomainError("nobody_free", "Geen collega online die dit gesprek nu kan aannemen.", field=field)
    session.add(handover)
    session.flush()
    staff_thread.post(session, conversation_id, "note", sender, f"handover-{handover.id}", note, now, outbox)
    audit.record(session, sender.id, "handover_offer", now, conversation_id, subject_id=to_user_id,
                 detail=GROUP_LABELS[to_group] if to_group else None)
    for colleague in receivers:
        outbox.append((user_channel(colleague["id"]), {"type": "handover_offer", "handover_id": handover.id}))
    to = _name(session, to_user_id) if to_user_id is not None else GROUP_LABELS[to_group]
    outbox.append((user_channel(sender.id), {**_answer(handover), "to": to,
                                             "expires_at": handover.expires_at.isoformat()}))
    outbox.append((STAFF_CHANNEL, {"type": "overview_changed"}))
    return handover


def open_offer(session, conversation_id: int) -> HandOver | None:
    return session.scalar(select(HandOver).where(HandOver.conversation_id == conversation_id,
                                                 HandOver.outcome.is_(None)))


def offers_for(session, user, now: datetime, default_max_chats: int) -> list[HandOver]:
    """The open offers this user may accept now (what a console shows when it connects)."""
    standing = session.scalars(select(HandOver).where(HandOver.outcome.is_(None), HandOver.expires_at > now)
                               .order_by(HandOver.offered_at)).all()
    return [h for h in standing
            if any(c["id"] == user.id for c in _receivers(session, h, now, default_max_chats))]


def accept(session, handover_id: int, receiver, now: datetime, default_max_chats: int,
           outbox: list) -> Conversation:
    handover = _standing(session, handover_id, now)
    if not any(c["id"] == receiver.id for c in _receivers(session, handover, now, default_max_chats)):
        raise DomainError("not_for_you", "Dit aanbod is niet voor jou, of je hebt geen plaats vrij.",
                          handover_id=handover_id)
    # The conversation row first, then the offer: the order in which ending a chat or putting it back in
    # the queue takes them too (they void its offer), so the two never wait on each other.
    moved = session.execute(
        update(Conversation)
        .where(Conversation.id == handover.conversation_id, Conversation.status == "active",
               Conversation.counsellor_id == handover.from_user_id)
        .values(counsellor_id=receiver.id).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1 or not _close(session, handover, "accepted", now, accepted_by=receiver.id):
        # A colleague accepted first, or the chat ended or went back to the queue meanwhile; the unit
        # of work rolls back whatever this call changed.
        raise DomainError("handover_gone", "Dit aanbod staat niet meer open: een collega nam het gesprek al "
                          "aan, of het gesprek is intussen beëindigd.", handover_id=handover_id)
    conversation_id = handover.conversation_id
    participants.finish(session, conversation_id, now, "handed_over", user_id=handover.from_user_id,
                        roles=("owner",))
    participants.begin(session, conversation_id, receiver.id, "owner", now)
    audit.record(session, receiver.id, "handover_accept", now, conversation_id, subject_id=handover.from_user_id)
    discipline = session.scalar(select(User.discipline).where(User.id == receiver.id))
    conversations.post_system_message(session, conversation_id, visitor_notice(discipline), now, outbox)
    staff_thread.post_event(session, conversation_id, f"{_name(session, handover.from_user_id)} gaf dit gesprek "
                            f"door aan {_name(session, receiver.id)}.", now, outbox)
    outbox.append((conversation_channel(conversation_id), {"type": "status", "conversation_id": conversation_id}))
    outbox.append((user_channel(handover.from_user_id), _answer(handover, by=_name(session, receiver.id))))
    outbox.append((STAFF_CHANNEL, _closed(handover)))
    conversation = session.get(Conversation, conversation_id)
    session.refresh(conversation)
    return conversation


def visitor_notice(discipline: str | None) -> str:
    """The one line the visitor reads: neutral, with the colleague's discipline only."""
    label = DISCIPLINE_LABELS.get(discipline or "other")
    if discipline in (None, "other") or label is None:
        return "Je wordt doorverbonden met een collega."
    return f"Je wordt doorverbonden met een collega ({label.lower()})."


def decline(session, handover_id: int, receiver, now: datetime, outbox: list) -> None:
    """The named colleague's no ends the offer; one of a group's no only tells the sender (the others
    may still accept)."""
    handover = _standing(session, handover_id, now)
    name = _name(session, receiver.id)
    audit.record(session, receiver.id, "handover_decline", now, handover.conversation_id,
                 subject_id=handover.from_user_id)
    if handover.to_user_id is not None:
        if handover.to_user_id != receiver.id:
            raise DomainError("not_for_you", "Dit aanbod is niet voor jou.", handover_id=handover_id)
        if _close(session, handover, "declined", now):
            outbox.append((user_channel(handover.from_user_id), _answer(handover, by=name)))
            outbox.append((STAFF_CHANNEL, _closed(handover)))
        return
    colleague = session.get(User, receiver.id)
    if colleague is None or colleague.id == handover.from_user_id or colleague.discipline not in GROUPS[
            handover.to_group]:
        raise DomainError("not_for_you", "Dit aanbod is niet voor jou.", handover_id=handover_id)
    outbox.append((user_channel(handover.from_user_id), {**_answer(handover, by=name), "outcome": "declined_by"}))


def cancel(session, handover_id: int, sender, now: datetime, outbox: list) -> None:
    handover = session.get(HandOver, handover_id)
    if handover is None or handover.from_user_id != sender.id:
        raise DomainError("not_found", "Dit aanbod bestaat niet.", handover_id=handover_id)
    if _close(session, handover, "cancelled", now):
        audit.record(session, sender.id, "handover_cancel", now, handover.conversation_id)
        outbox.append((user_channel(sender.id), _answer(handover)))
        outbox.append((STAFF_CHANNEL, _closed(handover)))


def close_for(session, conversation_id: int, now: datetime, outbox: list) -> None:
    """The chat ended or went back to the queue: an open offer of it is void."""
    for handover in session.scalars(select(HandOver).where(HandOver.conversation_id == conversation_id,
                                                           HandOver.outcome.is_(None))).all():
        if _close(session, handover, "cancelled", now):
            outbox.append((user_channel(handover.from_user_id), _answer(handover)))
            outbox.append((STAFF_CHANNEL, _closed(handover)))


def lapse_due(session, now: datetime, outbox: list) -> list[int]:
    """Offers nobody accepted in time lapse; each sender is told. Safe in every process at once."""
    due = session.scalars(select(HandOver).where(HandOver.outcome.is_(None), HandOver.expires_at <= now)).all()
    lapsed = []
    for handover in due:
        if _close(session, handover, "expired", now):
            outbox.append((user_channel(handover.from_user_id), _answer(handover)))
            outbox.append((STAFF_CHANNEL, _closed(handover)))
            lapsed.append(handover.id)
    return lapsed


def _standing(session, handover_id: int, now: datetime) -> HandOver:
    handover = session.get(HandOver, handover_id)
    if handover is None:
        raise DomainError("not_found", "Dit aanbod bestaat niet.", handover_id=handover_id)
    if handover.outcome is not None or handover.expires_at <= now:
        raise DomainError("handover_gone", "Dit aanbod staat niet meer open.", handover_id=handover_id)
    return handover


def _close(session, handover: HandOver, outcome: str, now: datetime, accepted_by: int | None = None) -> bool:
    won = session.execute(
        update(HandOver).where(HandOver.id == handover.id, HandOver.outcome.is_(None))
        .values(outcome=outcome, answered_at=now, accepted_by_id=accepted_by)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if won:
        session.refresh(handover)
    return won


def _answer(handover: HandOver, by: str | None = None) -> dict:
    return {"type": "handover_answer", "handover_id": handover.id, "conversation_id": handover.conversation_id,
            "outcome": handover.outcome or "offered", "by": by}


def _closed(handover: HandOver) -> dict:
    return {"type": "handover_closed", "handover_id": handover.id, "conversation_id": handover.conversation_id,
            "outcome": handover.outcome}


def _name(session, user_id: int) -> str:
    return session.scalar(select(User.display_name).where(User.id == user_id))
