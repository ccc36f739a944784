"""How long what a visitor said is kept (docs/privacy.md).

After RETENTION_DAYS, an ended conversation keeps only what the annual report needs (site, partner
ref, pupil/parent/other, times, outcome, stars, and its registration's codes, age, flags and times);
its messages, nickname, rating comment, resume token, staff thread, hand-over notes and the
registration's staff note are deleted. (`delete_conversations` removes chats whole: `flask remove-site`.)
Safe to run from every process at once.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ..models import (
    Conversation,
    HandOver,
    Message,
    Participation,
    Registration,
    RegistrationChange,
    RegistrationCode,
    StaffMessage,
)


def stale_conversations(cutoff: datetime):
    """The ids of ended conversations that still hold visitor text and ended before `cutoff`."""
    # Every chat that holds visitor text has a resume token until it is purged (turned-away
    # requests hold neither), so "token_hash IS NOT NULL" finds them through a partial index
    # (ix_conversations_unpurged) instead of a scan of every chat ever held.
    # (Only an ended conversation has an ended_at.)
    return select(Conversation.id).where(Conversation.token_hash.is_not(None), Conversation.ended_at < cutoff)


def purge_transcripts(session, keep: timedelta, now: datetime) -> int:
    """Strip conversations that ended before now - keep; returns how many were stripped."""
    ids = session.scalars(stale_conversations(now - keep)).all()
    if not ids:
        return 0
    for table in (Message, StaffMessage):
        session.execute(delete(table).where(table.conversation_id.in_(ids)).execution_options(
            synchronize_session=False))
    session.execute(update(HandOver).where(HandOver.conversation_id.in_(ids)).values(note=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(Registration).where(Registration.conversation_id.in_(ids)).values(note=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(Conversation).where(Conversation.id.in_(ids)).values(
        nickname=None, rating_comment=None, token_hash=None, last_seq=0).execution_options(
        synchronize_session=False))
    return len(ids)


def delete_conversations(session, ids) -> None:
    """Delete these conversations (a list or a SELECT of ids) with all that hangs on them, children first:
    SQLite enforces no ON DELETE CASCADE unless foreign keys are switched on."""
    for table in (StaffMessage, Message, Participation, HandOver, RegistrationCode, RegistrationChange,
                  Registration, Conversation):
        column = table.id if table is Conversation else table.conversation_id
        session.execute(delete(table).where(column.in_(ids)).execution_options(synchronize_session=False))
