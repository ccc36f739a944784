"""Who saw what: the append-only audit log (models/audit.py).

Each staff action that opens a transcript that is not one's own, or changes who is in a chat, is
written in the same unit of work as the action itself, so the log and the change commit together:
a coordinator's look-in and joining, whispers, leaving, hand-overs (offered, accepted, declined,
cancelled), blocks, a registration read or corrected by someone other than its author. It holds staff,
chat ids, the action and a short detail; never message text. Coordinators read it filtered by chat or
by person (console/audit_page.py); nothing in the service updates or deletes it.
"""

from datetime import datetime

from sqlalchemy import select

from ..models import AuditEntry

ACTIONS = {
    "watch": "keek mee",
    "join": "nam deel aan het gesprek",
    "leave": "verliet het gesprek",
    "whisper": "fluisterde",
    "help": "vroeg hulp",
    "handover_offer": "bood het gesprek aan",
    "handover_accept": "nam het gesprek over",
    "handover_decline": "weigerde het aanbod",
    "handover_cancel": "trok het aanbod in",
    "block": "blokkeerde de bezoeker",
    "registration_read": "las de registratie van een collega",
    "registration_correct": "verbeterde de registratie",
}
PAGE = 200


def record(session, actor_id: int, action: str, now: datetime, conversation_id: int | None = None,
           subject_id: int | None = None, detail: str | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditEntry(at=now, actor_id=actor_id, action=action, conversation_id=conversation_id,
                           subject_id=subject_id, detail=(detail or None) and detail[:80]))


def entries(session, conversation_id: int | None = None, actor_id: int | None = None,
            before_id: int | None = None) -> list[dict]:
    """The newest entries first (PAGE at a time, older ones with `before_id`), filtered by chat or person."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
    if conversation_id is not None:
        query = query.where(AuditEntry.conversation_id == conversation_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return [{"id": e.id, "at": e.at, "actor": e.actor.display_name, "actor_id": e.actor_id, "action": e.action,
             "what": ACTIONS[e.action], "conversation_id": e.conversation_id,
             "subject": e.subject.display_name if e.subject else None, "detail": e.detail}
            for e in session.scalars(query)]
