"""The shared board ("prikbord"): short notes among staff about recent recurring or prank chatters,
which expire by themselves (docs/privacy.md).

Any active counsellor or coordinator writes a note: the nickname the chatter used (optional), and the
pattern and how to handle it. Everyone on the team reads the current notes, newest first. A note is
removed by its author or by a coordinator; removed and expired notes are deleted for good by the
hourly housekeeping (`purge`). A note holds only what staff typed: never an IP address, a fingerprint,
a visitor or conversation id.
"""

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from ..models import BoardNote, User
from . import permissions
from .errors import DomainError

NICKNAME_MAX = 24  # as a visitor's nickname (and the column)
BODY_MAX = 1000
# What the database cannot store (as schemas.is_storable): NUL, and lone UTF-16 surrogates.
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def add(session, user: User, nickname: str | None, body: str | None, days: int, now: datetime) -> BoardNote:
    """A new note by `user`, current for `days` days from `now`. The nickname is trimmed (inner runs
    of white space become one space, as a visitor's) and may be left out; the body is trimmed and
    required. DomainError names the first bad field; nothing is stored then."""
    if not user.active:
        raise DomainError("forbidden", "Je account is niet actief.")
    if days < 1:
        raise ValueError(f"a note must stay at least a day, not {days}")
    nickname = _nickname(nickname)
    body = _body(body)
    note = BoardNote(author_id=user.id, nickname=nickname, body=body, created_at=now,
                     expires_at=now + timedelta(days=days))
    session.add(note)
    session.flush()
    return note


def current(session, now: datetime) -> list[BoardNote]:
    """The notes on the board now: not removed, not expired; newest first (with their author)."""
    return list(session.scalars(
        select(BoardNote).where(BoardNote.removed_at.is_(None), BoardNote.expires_at > now)
        .order_by(BoardNote.created_at.desc(), BoardNote.id.desc())))


def may_remove(user, note: BoardNote) -> bool:
    """A note's author takes it down; a coordinator any note."""
    return note.author_id == user.id or permissions.is_coordinator(user)


def remove(session, note_id: int, user, now: datetime) -> BoardNote:
    """Take a note off the board (the next purge deletes it). A note that was removed or expired is
    gone for everyone (not_found); someone else's is refused to a counsellor (forbidden)."""
    note = session.get(BoardNote, note_id)
    if note is None or note.removed_at is not None or note.expires_at <= now:
        raise DomainError("not_found", "Deze notitie staat niet (meer) op het prikbord.", field="id")
    if not may_remove(user, note):
        raise DomainError("forbidden", "Alleen wie de notitie schreef of een coördinator haalt ze weg.",
                          field="id")
    note.removed_at = now
    session.flush()
    return note


def purge(session, now: datetime) -> int:
    """Delete removed and expired notes for good; how many. Safe to run from every process at once."""
    result = session.execute(
        delete(BoardNote).where(or_(BoardNote.removed_at.is_not(None), BoardNote.expires_at <= now))
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def view(note: BoardNote, user) -> dict:
    """A note as `user` sees it on the board."""
    return {"id": note.id, "nickname": note.nickname, "body": note.body, "author": note.author.display_name,
            "created_at": note.created_at, "expires_at": note.expires_at, "removable": may_remove(user, note)}


# --- internals ---------------------------------------------------------------------------------

def _nickname(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or _BAD_CHARACTER.search(value):
        raise DomainError("invalid", "Bevat een ongeldig teken.", field="nickname")
    value = " ".join(value.split())
    if len(value) > NICKNAME_MAX:
        raise DomainError("invalid", f"Hoogstens {NICKNAME_MAX} tekens.", field="nickname")
    return value or None


def _body(value) -> str:
    if value is not None and (not isinstance(value, str) or _BAD_CHARACTER.search(value)):
        raise DomainError("invalid", "Bevat een ongeldig teken.", field="body")
    value = (value or "").strip()
    if not value:
        raise DomainError("invalid", "Schrijf het patroon en hoe je ermee omgaat.", field="body")
    if len(value) > BODY_MAX:
        raise DomainError("invalid", f"Hoogstens {BODY_MAX} tekens.", field="body")
    return value
