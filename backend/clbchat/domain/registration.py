"""The registration after a chat: who may write or correct it, what it must hold, and which chats
still wait for one.

A chat that a counsellor answered (picked up) and that has ended gets one registration, by the
counsellor who had it last or by a coordinator. Its author may correct it for AUTHOR_EDIT_DAYS; after
that only a coordinator may; every correction keeps who, when and what it said before. Codes must be
current options of their list (a correction may keep a code that was retired since).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ..models import Conversation, Registration, RegistrationChange, RegistrationCode, User
from ..models.registration import VISITOR_TYPES
from . import audit, code_lists, permissions
from .errors import DomainError

AUTHOR_EDIT_DAYS = 7
AGE_MIN, AGE_MAX = 6, 25
NOTE_MAX = 2000
CODES_MAX = 20  # per list: a registration is a summary, not a transcript


@dataclass
class RegistrationInput:
    visitor_type: str
    age: int | None = None
    topics: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    prank: bool = False
    crisis: bool = False
    note: str | None = None


def draft(conversation: Conversation) -> dict:
    """What the form opens with: the visitor's own choice of who they are, and the crisis flag."""
    return {"visitor_type": conversation.visitor_role if conversation.visitor_role in VISITOR_TYPES else "pupil",
            "age": None, "topics": [], "results": [], "prank": False,
            "crisis": conversation.crisis_at is not None, "note": None}


def register(session, conversation_id: int, user: User, data: RegistrationInput, now: datetime) -> Registration:
    """Store the registration of an ended, answered chat. A second one is refused (`already_registered`);
    two racing saves meet the primary key, and the loser's unit of work rolls back."""
    conversation = _registrable(session, conversation_id, user)
    if session.get(Registration, conversation_id) is not None:
        raise DomainError("already_registered", "Dit gesprek is al geregistreerd.", conversation_id=conversation_id)
    topics, results = _validated(session, data)
    # The registration is the chat's counsellor's (who ended it), also when a coordinator fills it in.
    registration = Registration(conversation_id=conversation.id, counsellor_id=conversation.counsellor_id,
                                created_at=now, updated_at=now, updated_by=user.id)
    _fill(registration, data, topics, results)
    session.add(registration)
    session.flush()
    return registration


def correct(session, conversation_id: int, user: User, data: RegistrationInput, now: datetime) -> Registration:
    registration = session.get(Registration, conversation_id)
    if registration is None:
        raise DomainError("not_found", "Dit gesprek heeft nog geen registratie.", conversation_id=conversation_id)
    if not permissions.is_coordinator(user):
        if not permissions.may_register(user, registration.counsellor_id):
            raise DomainError("not_your_chat", "Dit is niet jouw registratie.", conversation_id=conversation_id)
        if now - registration.created_at > timedelta(days=AUTHOR_EDIT_DAYS):
            raise DomainError("edit_window_closed", f"Na {AUTHOR_EDIT_DAYS} dagen kan alleen een coördinator "
                              "een registratie nog aanpassen.", conversation_id=conversation_id)
    kept = {(c.list_name, c.code) for c in registration.codes}
    topics, results = _validated(session, data, kept)
    session.add(RegistrationChange(conversation_id=conversation_id, changed_by=user.id, changed_at=now,
                                   previous_json=json.dumps(view(registration))))
    audit.record(session, user.id, "registration_correct", now, conversation_id,
                 subject_id=registration.counsellor_id if registration.counsellor_id != user.id else None)
    _fill(registration, data, topics, results)
    registration.updated_at, registration.updated_by = now, user.id
    session.flush()
    return registration


def get_visible(session, conversation_id: int, user: User, now: datetime) -> Registration:
    """A registration its author or a coordinator may read; a coordinator reading a colleague's is
    written in the audit log (call it in a unit of work)."""
    registration = session.get(Registration, conversation_id)
    if registration is None:
        raise DomainError("not_found", "Dit gesprek heeft nog geen registratie.", conversation_id=conversation_id)
    if not permissions.may_register(user, registration.counsellor_id):
        raise DomainError("not_your_chat", "Dit is niet jouw registratie.", conversation_id=conversation_id)
    if registration.counsellor_id != user.id:
        audit.record(session, user.id, "registration_read", now, conversation_id, subject_id=registration.counsellor_id)
    return registration


def open_registrations(session, user: User) -> list[dict]:
    """Answered, ended chats without a registration: the user's own, or everyone's for a coordinator."""
    query = (select(Conversation.id, Conversation.nickname, Conversation.visitor_role, Conversation.ended_at,
                    Conversation.counsellor_id, User.display_name)
             .join(User, User.id == Conversation.counsellor_id)
             .outerjoin(Registration, Registration.conversation_id == Conversation.id)
             .where(Conversation.status == "ended", Conversation.picked_up_at.is_not(None),
                    Registration.conversation_id.is_(None))
             .order_by(Conversation.ended_at, Conversation.id))
    if not permissions.is_coordinator(user):
        query = query.where(Conversation.counsellor_id == user.id)
    return [{"conversation_id": id_, "nickname": nickname, "visitor_role": role, "ended_at": ended_at,
             "counsellor_id": counsellor_id, "counsellor": name}
            for id_, nickname, role, ended_at, counsellor_id, name in session.execute(query)]


def view(registration: Registration) -> dict:
    codes = {"topics": [], "results": []}
    for code in registration.codes:
        codes[code.list_name].append(code.code)
    return {"conversation_id": registration.conversation_id, "counsellor_id": registration.counsellor_id,
            "visitor_type": registration.visitor_type, "age": registration.age, "topics": codes["topics"],
            "results": codes["results"], "prank": registration.prank, "crisis": registration.crisis,
            "note": registration.note, "topics_version": registration.topics_version,
            "results_version": registration.results_version,
            "created_at": registration.created_at.isoformat(), "updated_at": registration.updated_at.isoformat(),
            "updated_by": registration.updated_by}


def _registrable(session, conversation_id: int, user: User) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise DomainError("not_found", "Dit gesprek bestaat niet.", conversation_id=conversation_id)
    if conversation.status != "ended" or conversation.picked_up_at is None:
        raise DomainError("wrong_state", "Alleen een beantwoord gesprek dat voorbij is, wordt geregistreerd.",
                          conversation_id=conversation_id)
    if not permissions.may_register(user, conversation.counsellor_id):
        raise DomainError("not_your_chat", "Dit gesprek is niet van jou.", conversation_id=conversation_id)
    return conversation


def _validated(session, data: RegistrationInput, kept: frozenset | set = frozenset()):
    """(topics snapshot, results snapshot) after checking every field; DomainError names the field."""
    if data.visitor_type not in VISITOR_TYPES:
        raise DomainError("invalid", "Kies leerling, ouder, leerkracht of iemand anders.", field="visitor_type")
    if data.age is not None and not AGE_MIN <= data.age <= AGE_MAX:
        raise DomainError("invalid", f"Een leeftijd is {AGE_MIN} tot {AGE_MAX} jaar (of leeg).", field="age")
    if data.note is not None and len(data.note) > NOTE_MAX:
        raise DomainError("invalid", f"Een notitie is hoogstens {NOTE_MAX} tekens lang.", field="note")
    lists = {name: code_lists.snapshot(session, name) for name in ("topics", "results")}
    for name, chosen in (("topics", data.topics), ("results", data.results)):
        if len(chosen) != len(set(chosen)) or len(chosen) > CODES_MAX:
            raise DomainError("invalid", f"Kies elke optie één keer, hoogstens {CODES_MAX}.", field=name)
        allowed = lists[name].current_codes() | {code for list_name, code in kept if list_name == name}
        unknown = [code for code in chosen if code not in allowed]
        if unknown:
            raise DomainError("invalid", f"Onbekende of niet meer gebruikte code: {', '.join(unknown)}.",
                              field=name)
        if not data.prank and not chosen:
            raise DomainError("invalid", "Kies minstens één optie (of registreer het als nepoproep).", field=name)
    return lists["topics"], lists["results"]


def _fill(registration: Registration, data: RegistrationInput, topics, results) -> None:
    registration.visitor_type, registration.age = data.visitor_type, data.age
    registration.prank, registration.crisis = data.prank, data.crisis
    registration.note = (data.note or "").strip() or None
    registration.topics_version, registration.results_version = topics.version, results.version
    registration.codes = [RegistrationCode(list_name="topics", code=c) for c in data.topics] + [
        RegistrationCode(list_name="results", code=c) for c in data.results]
