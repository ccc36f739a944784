"""Referral snippets: which ones a counsellor sees (the library and their own), finding one by a few
letters, who may add, change or retire one, and when a partner's details count as stale.

The library (owner None) is kept by coordinators; every counsellor keeps their own. Snippets are
retired, never deleted: a retired one is no longer offered. A snippet's `result_code` is a current
option of the results list; inserting it in a chat pre-ticks that result in the registration.
"""

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from ..models import Snippet, User
from . import code_lists, permissions
from .errors import DomainError

TITLE_MAX, BODY_MAX, CATEGORY_MAX = 80, 2000, 40
PARTNER_NAME_MAX, PHONE_MAX, URL_MAX = 80, 40, 300
# A partner's phone number or address that nobody checked for this long may have changed.
STALE_AFTER = timedelta(days=365)
SEARCH_MAX = 10  # matches offered at once in the composer
_PHONE = re.compile(r"\+?[0-9 ]+")
_URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+[^\s]*", re.IGNORECASE)


@dataclass
class SnippetInput:
    """A snippet's editable fields. For a change, only the fields that were sent are set (see `given`)."""

    title: str | None = None
    body: str | None = None
    category: str | None = None
    partner_name: str | None = None
    partner_phone: str | None = None
    partner_url: str | None = None
    last_checked: date | None = None
    result_code: str | None = None


def has_partner(snippet: Snippet) -> bool:
    return bool(snippet.partner_name or snippet.partner_phone or snippet.partner_url)


def is_stale(snippet: Snippet, today: date) -> bool:
    """A snippet with a partner whose details were never checked, or last checked over a year ago."""
    if not has_partner(snippet):
        return False
    return snippet.last_checked is None or today - snippet.last_checked > STALE_AFTER


def visible(session, user: User) -> list[Snippet]:
    """The library and the user's own snippets that are not retired: the library first, by category and
    title."""
    rows = session.scalars(select(Snippet).where(
        Snippet.retired_at.is_(None), or_(Snippet.owner_id.is_(None), Snippet.owner_id == user.id)))
    return sorted(rows, key=lambda s: (s.owner_id is not None, s.category, _fold(s.title), s.id))


def search(snippets: list[Snippet], query: str) -> list[Snippet]:
    """The snippets a few letters find, best first: case and accents do not count ("zelfm" finds
    "Zelfmoordlijn", "coordinator" finds "coördinator"). Titles count most: one starting with the
    letters, then one with a word starting with them, then one containing them; then the partner's
    name, the category and finally the text. An empty query finds all."""
    needle = _fold(query).strip()
    if not needle:
        return list(snippets)[:SEARCH_MAX]
    ranked = []
    for order, snippet in enumerate(snippets):
        rank = _rank(snippet, needle)
        if rank is not None:
            ranked.append((rank, order, snippet))
    return [snippet for _rank_, _order, snippet in sorted(ranked, key=lambda r: r[:2])][:SEARCH_MAX]


def create(session, user: User, data: SnippetInput, library: bool, now: datetime) -> Snippet:
    """A new snippet: the user's own, or (coordinators only) one in the library."""
    if library and not permissions.is_coordinator(user):
        raise DomainError("forbidden", "Alleen een coördinator voegt snippets aan de bibliotheek toe.",
                          field="library")
    for name in ("title", "body", "category"):
        if getattr(data, name) is None:
            raise DomainError("invalid", "Dit veld is verplicht.", field=name)
    snippet = Snippet(owner_id=None if library else user.id, updated_at=now)
    _apply(session, snippet, data, set(_names()), now)
    session.add(snippet)
    session.flush()
    return snippet


def change(session, snippet_id: int, user: User, data: SnippetInput, given: set[str], now: datetime) -> Snippet:
    """Change the fields named in `given` of a snippet the user may edit."""
    snippet = editable(session, snippet_id, user)
    _apply(session, snippet, data, given, now)
    snippet.updated_at = now
    session.flush()
    return snippet


def retire(session, snippet_id: int, user: User, now: datetime) -> Snippet:
    """No longer offer the snippet; it stays stored."""
    snippet = editable(session, snippet_id, user)
    snippet.retired_at = snippet.updated_at = now
    session.flush()
    return snippet


def editable(session, snippet_id: int, user: User) -> Snippet:
    """A snippet the user may change: their own, or a library one when they are a coordinator. Another
    counsellor's own snippets do not exist for them (not_found), as retired ones do not for anyone."""
    snippet = session.get(Snippet, snippet_id)
    if snippet is None or snippet.retired_at is not None or snippet.owner_id not in (None, user.id):
        raise DomainError("not_found", "Deze snippet bestaat niet (meer).", field="id")
    if snippet.owner_id is None and not permissions.is_coordinator(user):
        raise DomainError("forbidden", "Alleen een coördinator past de bibliotheek aan.", field="library")
    return snippet


def view(snippet: Snippet, today: date) -> dict:
    return {"id": snippet.id, "library": snippet.owner_id is None, "title": snippet.title, "body": snippet.body,
            "category": snippet.category, "partner_name": snippet.partner_name,
            "partner_phone": snippet.partner_phone, "partner_url": snippet.partner_url,
            "last_checked": snippet.last_checked, "stale": is_stale(snippet, today),
            "result_code": snippet.result_code, "updated_at": snippet.updated_at}


# --- internals ---------------------------------------------------------------------------------

def _names() -> list[str]:
    return [f.name for f in fields(SnippetInput)]


def _apply(session, snippet: Snippet, data: SnippetInput, given: set[str], now: datetime) -> None:
    """Check every given field (DomainError names the first bad one), then set them all."""
    values = {name: _checked(session, name, getattr(data, name), now) for name in _names() if name in given}
    for name, value in values.items():
        setattr(snippet, name, value)


def _checked(session, name: str, value, now: datetime):
    if isinstance(value, str):
        value = value.strip()
        if name not in ("title", "body", "category") and not value:
            value = None  # an emptied optional field is no field
    required = {"title": TITLE_MAX, "body": BODY_MAX, "category": CATEGORY_MAX}
    if name in required:
        if not value or len(value) > required[name]:
            raise DomainError("invalid", f"1 tot {required[name]} tekens.", field=name)
        return value
    if value is None:
        return None
    if name == "partner_name" and len(value) > PARTNER_NAME_MAX:
        raise DomainError("invalid", f"Hoogstens {PARTNER_NAME_MAX} tekens.", field=name)
    if name == "partner_phone" and (len(value) > PHONE_MAX or not _PHONE.fullmatch(value)):
        raise DomainError("invalid", "Alleen cijfers, spaties en een + vooraan.", field=name)
    if name == "partner_url" and (len(value) > URL_MAX or not _URL.fullmatch(value)):
        raise DomainError("invalid", "Een adres dat begint met http:// of https://.", field=name)
    if name == "last_checked" and value > now.date():
        raise DomainError("invalid", "Die datum ligt in de toekomst.", field=name)
    if name == "result_code" and value not in code_lists.snapshot(session, "results").current_codes():
        raise DomainError("invalid", f"Onbekende of niet meer gebruikte resultaatcode: {value}.", field=name)
    return value


def _fold(text: str | None) -> str:
    """Lower case without accents, for matching: "Coördinator" -> "coordinator"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _rank(snippet: Snippet, needle: str) -> int | None:
    title = _fold(snippet.title)
    if title.startswith(needle):
        return 0
    if any(word.startswith(needle) for word in re.split(r"[\W_]+", title)):
        return 1
    if needle in title:
        return 2
    for rank, text in ((3, snippet.partner_name), (4, snippet.category), (5, snippet.body)):
        if needle in _fold(text):
            return rank
    return None
