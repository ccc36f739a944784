"""Who took part in a conversation and when (models/teamwork.py: Participation).

Every owner stint is recorded (taken from the queue, handed over, back to the queue), and every
coordinator's look or visible part, so that a chat tells who answered it, reports can count hand-overs
and hours, and permissions know who watches. The functions run inside the unit of work of the change
they record, so the record and the change commit together.
"""

from datetime import datetime

from sqlalchemy import select, update

from ..models import Participation


def begin(session, conversation_id: int, user_id: int, role: str, now: datetime) -> None:
    session.add(Participation(conversation_id=conversation_id, user_id=user_id, role=role, joined_at=now))


def finish(session, conversation_id: int, now: datetime, because: str, user_id: int | None = None,
           roles: tuple[str, ...] | None = None) -> int:
    """Close the open stints of this chat (of one user, of some roles); how many were closed."""
    query = (update(Participation)
             .where(Participation.conversation_id == conversation_id, Participation.left_at.is_(None))
             .values(left_at=now, left_because=because).execution_options(synchronize_session=False))
    if user_id is not None:
        query = query.where(Participation.user_id == user_id)
    if roles is not None:
        query = query.where(Participation.role.in_(roles))
    return session.execute(query).rowcount


def of(session, conversation_id: int) -> list[Participation]:
    """Every stint in this chat, in the order they began."""
    return list(session.scalars(select(Participation).where(Participation.conversation_id == conversation_id)
                                .order_by(Participation.joined_at, Participation.id)))
