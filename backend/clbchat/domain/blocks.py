"""Blocking a visitor's browser session for a while (a prank or abusive chatter) without identifying
anyone (docs/privacy.md, "Blocking a browser session").

When a counsellor ends a chat with a block, the service makes a random marker and keeps only its
SHA-256 in the expiring memory store (expiring_store.py: Redis or this process), with the block's end.
The marker itself goes to the visitor's own widget, which keeps it in sessionStorage and sends it
with its next chat requests from that tab; a request with a marker whose hash is in the store is
answered with a kind message and the other helplines. Nothing of it is in the database, nothing is
derived from an IP address or the browser, and it all expires by itself. A new tab or a private
window is a new visitor: the block is a brake on a session, not a ban of a person.
"""

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..expiring_store import StoreUnavailable
from . import audit, permissions, staff_thread
from .channels import conversation_channel
from .errors import DomainError

MIN_MINUTES = 60
COUNSELLOR_MAX_MINUTES = 24 * 60
COORDINATOR_MAX_MINUTES = 7 * 24 * 60  # longer only by a coordinator
PICKUP_SECONDS = 15 * 60  # how long the plain marker waits for the visitor's socket


@dataclass(frozen=True)
class Block:
    marker: str
    until: datetime


def check_minutes(user, minutes: int) -> None:
    longest = COORDINATOR_MAX_MINUTES if permissions.is_coordinator(user) else COUNSELLOR_MAX_MINUTES
    if not MIN_MINUTES <= minutes <= longest:
        hours = longest // 60
        raise DomainError("invalid", f"Blokkeer 1 tot {hours} uur"
                          + ("." if permissions.is_coordinator(user) else "; langer kan alleen een coördinator."),
                          field="block_minutes")


def make(store, conversation_id: int, user, minutes: int, now: datetime) -> Block:
    """Make the marker for this chat's visitor and keep its hash until the block ends. Call it before
    the unit of work that ends the chat (a slow store then holds no row lock), and `forget` if that fails.
    For PICKUP_SECONDS the marker also waits under the chat's id for the visitor's socket (maybe on
    another host, maybe reconnecting) to pass it on; then only its hash is left."""
    check_minutes(user, minutes)
    marker = secrets.token_urlsafe(24)
    until = now + timedelta(minutes=minutes)
    try:
        store.put(_marker_key(marker), until.isoformat(), minutes * 60)
        store.put(_chat_key(conversation_id), f"{marker} {until.isoformat()}", PICKUP_SECONDS)
    except StoreUnavailable:
        raise DomainError("unavailable", "Blokkeren lukt nu niet. Probeer opnieuw, of beëindig zonder te "
                          "blokkeren.", field="block_minutes") from None
    return Block(marker, until)


def forget(store, conversation_id: int) -> None:
    """The chat did not end after all: its visitor must not be handed the marker."""
    with contextlib.suppress(StoreUnavailable):  # else it expires after PICKUP_SECONDS anyway
        store.delete(_chat_key(conversation_id))


def record(session, conversation_id: int, user, minutes: int, now: datetime, outbox: list) -> None:
    """In the unit of work that ends the chat: the staff thread says who blocked for how long, and the
    visitor's socket is told to pass the marker on."""
    staff_thread.post_event(session, conversation_id, f"{user.display_name} blokkeerde deze bezoeker voor "
                            f"{_duration(minutes)}.", now, outbox)
    audit.record(session, user.id, "block", now, conversation_id, detail=_duration(minutes))
    outbox.append((conversation_channel(conversation_id), {"type": "blocked", "conversation_id": conversation_id}))


def _duration(minutes: int) -> str:
    hours = minutes / 60
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} dagen"
    return "1 uur" if hours == 1 else f"{hours:g} uur"


def of_conversation(store, conversation_id: int) -> Block | None:
    """The block made when this chat ended, for its visitor's widget."""
    found = store.get(_chat_key(conversation_id))
    if found is None:
        return None
    marker, until = found.split(" ", 1)
    return Block(marker, datetime.fromisoformat(until))


def blocked_until(store, marker: str | None) -> datetime | None:
    """The end of the block this marker stands for, or None (no marker, unknown, or expired)."""
    if not marker:
        return None
    until = store.get(_marker_key(marker))
    return datetime.fromisoformat(until) if until else None


def _marker_key(marker: str) -> str:
    return "block:" + hashlib.sha256(marker.encode()).hexdigest()


def _chat_key(conversation_id: int) -> str:
    return f"block-of-chat:{conversation_id}"
