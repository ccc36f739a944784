"""Who saw what (domain/audit.py): a coordinator's look-in, joining, leaving and whispers, hand-overs,
blocks and a colleague's registration read or corrected are written, with staff and chat ids and never
message text; the log is append-only in the database itself."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from clbchat.domain import audit, blocks, conversations, coordination, handover, registration
from clbchat.domain.errors import DomainError
from clbchat.domain.registration import RegistrationInput
from clbchat.expiring_store import InProcessStore
from clbchat.models import AuditEntry, Conversation

from .conftest import MAX_CHATS, T0

NOW = T0 + timedelta(minutes=10)
WHISPER = "Vraag eens naar school."


def actions(session, **filters):
    return [(e["actor"], e["what"], e["conversation_id"], e["subject"], e["detail"])
            for e in reversed(audit.entries(session, **filters))]


def test_what_a_coordinator_does_in_a_chat_is_written_without_any_text(session, active_chat, counsellor, coordinator):
    coordination.watch(session, active_chat.id, coordinator, NOW, [])
    coordination.whisper(session, active_chat.id, coordinator, "w-1", WHISPER, NOW, [])
    coordination.join(session, active_chat.id, coordinator, NOW, [])
    coordination.leave(session, active_chat.id, coordinator, NOW, [])
    session.commit()
    assert actions(session, conversation_id=active_chat.id) == [
        ("Coord", "keek mee", active_chat.id, "Sofie", None),
        ("Coord", "fluisterde", active_chat.id, None, None),
        ("Coord", "nam deel aan het gesprek", active_chat.id, "Sofie", None),
        ("Coord", "verliet het gesprek", active_chat.id, None, None),
    ]
    assert WHISPER not in str(audit.entries(session))


def test_hand_overs_blocks_and_a_colleagues_registration_are_written(session, active_chat, counsellor, coordinator,
                                                                     make_user):
    nora = make_user("nora")
    nora.discipline = "nurse"
    session.commit()
    conversations.touch_counsellors(session, [counsellor.id, nora.id], NOW - timedelta(seconds=5))
    offered = handover.offer(session, active_chat.id, counsellor, None, "medical", "Graag een verpleegkundige.",
                             NOW, timedelta(seconds=60), MAX_CHATS, [])
    handover.accept(session, offered.id, nora, NOW, MAX_CHATS, [])
    blocks.make(InProcessStore(), active_chat.id, nora, 120, NOW)
    conversations.end_by_staff(session, active_chat.id, nora, NOW, [])
    blocks.record(session, active_chat.id, nora, 120, NOW, [])
    registration.register(session, active_chat.id, nora, RegistrationInput(visitor_type="pupil", prank=True), NOW)
    registration.get_visible(session, active_chat.id, nora, NOW)  # her own: not written
    registration.get_visible(session, active_chat.id, coordinator, NOW)
    corrected = RegistrationInput(visitor_type="parent", prank=True)
    registration.correct(session, active_chat.id, coordinator, corrected, NOW)
    session.commit()
    assert actions(session, conversation_id=active_chat.id) == [
        ("Sofie", "bood het gesprek aan", active_chat.id, None, "verpleegkundige of arts"),
        ("Nora", "nam het gesprek over", active_chat.id, "Sofie", None),
        ("Nora", "blokkeerde de bezoeker", active_chat.id, None, "2 uur"),
        ("Coord", "las de registratie van een collega", active_chat.id, "Nora", None),
        ("Coord", "verbeterde de registratie", active_chat.id, "Nora", None),
    ]
    assert [a[1] for a in actions(session, actor_id=nora.id)] == ["nam het gesprek over", "blokkeerde de bezoeker"]


def test_a_refused_action_writes_nothing(session, active_chat, make_user):
    colleague = make_user("jonas")
    with pytest.raises(DomainError):
        coordination.watch(session, active_chat.id, colleague, NOW, [])
    session.rollback()
    assert audit.entries(session) == []


def test_nobody_can_change_or_delete_an_entry_not_even_with_sql(session, active_chat, coordinator):
    coordination.watch(session, active_chat.id, coordinator, NOW, [])
    session.commit()
    for statement in ("UPDATE audit_entries SET action = 'help'", "DELETE FROM audit_entries"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.query(AuditEntry).count() == 1
    # Deleting chats (remove-site --delete-history) leaves the log alone: it holds chat ids, no keys.
    from clbchat.domain.retention import delete_conversations

    chat_id = active_chat.id
    delete_conversations(session, [chat_id])
    session.commit()
    session.expunge_all()
    assert session.get(Conversation, chat_id) is None
    assert session.query(AuditEntry).count() == 1
