"""How long what a visitor said is kept (docs/privacy.md).

After RETENTION_DAYS, an ended conversation keeps only what the annual report needs (site, partner
ref, pupil/parent/other, times, outcome, stars); its messages, nickname, rating comment and resume
token are deleted. Safe to run from every process at once.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ..models import Conversation, Message


def purge_transcripts(session, keep: timedelta, now: datetime) -> int:
    """Strip conversations that ended before now - keep; returns how many were stripped."""
    cutoff = now - keep
    stale = select(Conversation.id).where(
        Conversation.status == "ended",
        Conversation.ended_at < cutoff,
        (Conversation.nickname.is_not(None)) | (Conversation.rating_comment.is_not(None))
        | (Conversation.token_hash.is_not(None)) | (Conversation.last_seq > 0),
    )
    ids = session.scalars(stale).all()
    if not ids:
        return 0
    session.execute(delete(Message).where(Message.conversation_id.in_(ids)).execution_options(
        synchronize_session=False))
    session.execute(update(Conversation).where(Conversation.id.in_(ids)).values(
        nickname=None, rating_comment=None, token_hash=None, last_seq=0).execution_options(
        synchronize_session=False))
    return len(ids)
