"""Staff profiles: each counsellor's discipline, home CLB and chat limit, which coordinators keep up to
date (the report counts disciplines and the CLBs taking part; hand-over picks colleagues by discipline)."""

from sqlalchemy import select

from ..models import Clb, User
from ..models.staff import DISCIPLINES
from .errors import DomainError

# Dutch names for the disciplines (DOMAIN.md, "The CLB world").
DISCIPLINE_LABELS = {
    "social_worker": "Maatschappelijk werker",
    "psycho_pedagogue": "Psychopedagoog",
    "nurse": "Verpleegkundige",
    "doctor": "Arts",
    "other": "Andere",
}
assert set(DISCIPLINE_LABELS) == set(DISCIPLINES)
MAX_CHATS_LIMIT = 6


def staff(session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.display_name)))


def clbs(session, include_retired: bool = False) -> list[Clb]:
    query = select(Clb).order_by(Clb.name)
    if not include_retired:
        query = query.where(Clb.active.is_(True))
    return list(session.scalars(query))


def update_profile(session, user_id: int, discipline: str, home_clb_id: int | None,
                   max_chats: int | None) -> User:
    """Set a staff member's profile; DomainError names the field that is wrong, and nothing changes."""
    user = session.get(User, user_id)
    if user is None:
        raise DomainError("not_found", "Deze medewerker bestaat niet.", field="user")
    if discipline not in DISCIPLINES:
        raise DomainError("invalid", "Kies een discipline uit de lijst.", field="discipline")
    if home_clb_id is not None:
        clb = session.get(Clb, home_clb_id)
        if clb is None or (not clb.active and clb.id != user.home_clb_id):
            raise DomainError("invalid", "Kies een CLB uit de lijst.", field="home_clb_id")
    if max_chats is not None and not 1 <= max_chats <= MAX_CHATS_LIMIT:
        raise DomainError("invalid", f"Een medewerker heeft 1 tot {MAX_CHATS_LIMIT} gesprekken tegelijk "
                          "(leeg: de standaard).", field="max_chats")
    user.discipline, user.home_clb_id, user.max_chats = discipline, home_clb_id, max_chats
    session.flush()
    return user


def add_clb(session, code: str, name: str, network: str | None) -> Clb:
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 24:
        raise DomainError("invalid", "Een code is 1-24 tekens.", field="code")
    if not name or len(name) > 120:
        raise DomainError("invalid", "Een naam is 1-120 tekens.", field="name")
    if session.scalar(select(Clb).where((Clb.code == code) | (Clb.name == name))) is not None:
        raise DomainError("code_taken", "Er is al een CLB met deze code of naam.", field="code")
    clb = Clb(code=code, name=name, network=(network or "").strip() or None, active=True)
    session.add(clb)
    session.flush()
    return clb
