"""Blocking a visitor's browser session (domain/blocks.py): a random marker whose hash alone is kept in
the expiring memory store, for 1 to 24 hours (longer only by a coordinator); nothing in the database."""

import hashlib
from datetime import timedelta

import pytest

from clbchat.domain import blocks, channels, staff_thread
from clbchat.domain.errors import DomainError
from clbchat.expiring_store import InProcessStore

from .conftest import T0

NOW = T0 + timedelta(minutes=20)


@pytest.fixture
def store():
    return InProcessStore()


def test_a_block_keeps_only_the_markers_hash_and_the_visitor_gets_the_marker(session, store, active_chat,
                                                                            counsellor):
    outbox = []
    made = blocks.make(store, active_chat.id, counsellor, 60, NOW)
    blocks.record(session, active_chat.id, counsellor, 60, NOW, outbox)
    assert made.until == NOW + timedelta(hours=1)
    assert blocks.blocked_until(store, made.marker) == made.until
    assert store.get("block:" + hashlib.sha256(made.marker.encode()).hexdigest()) == made.until.isoformat()
    assert not any(made.marker in key for key in store._entries)  # the marker itself is no key
    assert blocks.of_conversation(store, active_chat.id) == made
    assert (channels.conversation_channel(active_chat.id), {"type": "blocked", "conversation_id": active_chat.id}) \
        in outbox
    assert staff_thread.transcript(session, active_chat.id)[-1]["text"] == "Sofie blokkeerde deze bezoeker voor 1 uur."


def test_an_unknown_or_missing_marker_is_not_blocked(store):
    assert blocks.blocked_until(store, None) is None
    assert blocks.blocked_until(store, "made-up") is None


def test_a_block_expires_by_itself(store, session, active_chat, counsellor, monkeypatch):
    made = blocks.make(store, active_chat.id, counsellor, 60, NOW)
    deadlines = sorted(deadline for deadline, _ in store._entries.values())
    # The plain marker under the chat's id goes first (PICKUP_SECONDS), its hash when the block ends.
    monkeypatch.setattr("clbchat.expiring_store.time.monotonic", lambda: deadlines[0] + 1)
    assert blocks.of_conversation(store, active_chat.id) is None
    assert blocks.blocked_until(store, made.marker) == made.until
    monkeypatch.setattr("clbchat.expiring_store.time.monotonic", lambda: deadlines[1] + 1)
    assert blocks.blocked_until(store, made.marker) is None


def test_a_block_whose_chat_did_not_end_is_never_handed_to_its_visitor(store, active_chat, counsellor):
    blocks.make(store, active_chat.id, counsellor, 60, NOW)
    blocks.forget(store, active_chat.id)
    assert blocks.of_conversation(store, active_chat.id) is None


@pytest.mark.parametrize(("role", "minutes", "allowed"), [
    ("counsellor", 59, False), ("counsellor", 60, True), ("counsellor", 24 * 60, True),
    ("counsellor", 24 * 60 + 1, False), ("coordinator", 3 * 24 * 60, True), ("coordinator", 7 * 24 * 60 + 1, False),
])
def test_one_hour_to_a_day_and_longer_only_by_a_coordinator(role, minutes, allowed):
    user = type("Staff", (), {"role": role, "display_name": "X"})()
    if allowed:
        blocks.check_minutes(user, minutes)
    else:
        with pytest.raises(DomainError) as info:
            blocks.check_minutes(user, minutes)
        assert info.value.details["field"] == "block_minutes"


def test_a_store_that_cannot_keep_the_block_refuses_it_with_the_field(session, active_chat, counsellor):
    class Down(InProcessStore):
        def put(self, key, value, seconds):
            raise blocks.StoreUnavailable("redis down")

    with pytest.raises(DomainError) as info:
        blocks.make(Down(), active_chat.id, counsellor, 60, NOW)
    assert (info.value.code, info.value.details["field"]) == ("unavailable", "block_minutes")
