"""A chat's staff thread: whispers between the counsellor and a coordinator, hand-over notes, and lines
from the service such as "Lotte kijkt mee" (models/teamwork.py: StaffMessage).

It has its own numbering (`conversations.last_staff_seq`), its own table and its own channel
(channels.staff_thread_channel), so no visitor view reads it and the visitor's `seq` stays gap-free.
"""

import secrets
from datetime import datetime

from sqlalchemy import insert, select, update

from ..models import Conversation, StaffMessage, User
from .channels import staff_thread_channel
from .errors import DomainError

TEXT_MAX = 2000


def post(session, conversation_id: int, kind: str, author, client_id: str, text: str, now: datetime,
         outbox: list) -> dict:
    """Store a line once (a resent client id returns the stored one) and return its view."""
    text = (text or "").strip()
    if not text:
        raise DomainError("invalid", "Schrijf eerst iets.", field="text", client_id=client_id)
    if len(text) > TEXT_MAX:
        raise DomainError("too_long", f"Een bericht mag hoogstens {TEXT_MAX} tekens lang zijn.", field="text",
                          client_id=client_id)
    author_id = author.id if author is not None else None
    stored = session.scalar(select(StaffMessage).where(
        StaffMessage.conversation_id == conversation_id, StaffMessage.client_id == client_id,
        StaffMessage.author_id.is_(None) if author_id is None else StaffMessage.author_id == author_id))
    if stored is not None:
        return _view(stored, author.display_name if author is not None else None)
    seq = session.execute(
        update(Conversation).where(Conversation.id == conversation_id)
        .values(last_staff_seq=Conversation.last_staff_seq + 1).returning(Conversation.last_staff_seq)
    ).scalar_one()
    session.execute(insert(StaffMessage).values(conversation_id=conversation_id, seq=seq, kind=kind,
                                                author_id=author_id, client_id=client_id, body=text,
                                                created_at=now))
    view = {"conversation_id": conversation_id, "seq": seq, "kind": kind,
            "author": author.display_name if author is not None else None, "text": text,
            "client_id": client_id, "sent_at": now.isoformat()}
    outbox.append((staff_thread_channel(conversation_id), {"type": "staff_message", **view}))
    return view


def post_event(session, conversation_id: int, text: str, now: datetime, outbox: list) -> dict:
    """A line from the service in the staff thread."""
    return post(session, conversation_id, "event", None, f"event-{secrets.token_hex(8)}", text, now, outbox)


def transcript(session, conversation_id: int, after_seq: int = 0) -> list[dict]:
    rows = session.execute(
        select(StaffMessage, User.display_name).outerjoin(User, User.id == StaffMessage.author_id)
        .where(StaffMessage.conversation_id == conversation_id, StaffMessage.seq > after_seq)
        .order_by(StaffMessage.seq)
    ).all()
    return [_view(line, name) for line, name in rows]


def _view(line: StaffMessage, author_name: str | None) -> dict:
    return {"conversation_id": line.conversation_id, "seq": line.seq, "kind": line.kind, "author": author_name,
            "text": line.body, "client_id": line.client_id, "sent_at": line.created_at.isoformat()}
