"""A small, hand-made data set for the annual report's tests (tests/unit/test_report.py, the PostgreSQL
run in tests/integration/test_report_postgres.py and the page's test), with its answers worked out by
hand in test_report.py.

The period is the school year 2025-2026 (1 September 2025 - 31 August 2026, Brussels time); the period
before is 2024-2025; one earlier school year (2023-2024) feeds the suicide trend. Times are UTC; the
comments say the Brussels time where a month boundary is at stake (UTC+2 in summer, UTC+1 in winter).

Registrations go through the real domain (domain/registration.py, which checks the codes); the chats
themselves are inserted with the times and outcomes a test needs (the queue and the sockets do not let a
test choose last year's times).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from clbchat.domain import code_lists, registration
from clbchat.domain.registration import RegistrationInput
from clbchat.models import Clb, Conversation, HandOver, Participation, Site, User

BRUSSELS = "Europe/Brussels"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Chat:
    """One chat request. wait/duration in seconds; wait None: never picked up."""

    key: str
    requested_at: datetime
    outcome: str
    wait: int | None = None
    duration: int | None = None
    owners: tuple[str, ...] = ()  # usernames, in order (a hand-over adds the next owner)
    site: str = "school"
    ref: str | None = None
    visitor_type: str | None = None  # None: not registered
    age: int | None = None
    topics: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    prank: bool = False
    crisis: bool = False
    stars: int | None = None
    comment: str | None = None
    marked_crisis: bool = False


CHATS = [
    # --- 2025-2026, September (local) ---
    # 31 August 22:30 UTC is 1 September 00:30 in Brussels: the first chat of the school year.
    Chat("c1", utc(2025, 8, 31, 22, 30), "answered", 30, 20 * 60, ("lies",), visitor_type="pupil", age=14,
         topics=["study_choice"], results=["info_advice"], stars=5, comment="Super geholpen, dankjewel!"),
    Chat("c2", utc(2025, 9, 10, 16, 0), "answered", 60, 50 * 60, ("tom",), ref="campagne", visitor_type="pupil",
         age=16, topics=["suicidal_thoughts", "family"], results=["emotional_support", "referral_partner"],
         crisis=True, stars=4),
    Chat("c3", utc(2025, 9, 10, 16, 5), "left_waiting"),
    # 30 September 21:30 UTC is 23:30 in Brussels: still September.
    Chat("c4", utc(2025, 9, 30, 21, 30), "turned_away", site="partner"),
    # --- October ---
    # 30 September 22:30 UTC is 1 October 00:30 in Brussels. Lies hands it over to Tom.
    Chat("c5", utc(2025, 9, 30, 22, 30), "answered", 120, 10 * 60, ("lies", "tom"), visitor_type="parent",
         topics=["study_choice"], results=["info_advice", "referral_clb"], stars=5, comment="Duidelijke info"),
    Chat("c6", utc(2025, 10, 15, 15, 0), "abandoned", 10, 55 * 60, ("tom",), visitor_type="pupil", prank=True),
    Chat("c7", utc(2025, 10, 15, 15, 30), "answered", 300, 5 * 60, ("lies",), stars=2, marked_crisis=True),
    # --- February ---
    # 31 January 23:30 UTC is 1 February 00:30 in Brussels (winter time, UTC+1).
    Chat("c8", utc(2026, 1, 31, 23, 30), "answered", 40, 30 * 60, ("lies",), site="partner", ref="campagne",
         visitor_type="pupil", age=12, topics=["suicidal_thoughts"], results=["emotional_support"], stars=3,
         comment="Oké <b>niet vet</b>"),
    # --- 2024-2025, the period before ---
    # 31 August 21:59 UTC is 23:59 in Brussels: the last minute of 2024-2025.
    Chat("p1", utc(2025, 8, 31, 21, 59), "answered", 20, 15 * 60, ("lies",), visitor_type="pupil", age=15,
         topics=["suicidal_thoughts"], results=["info_advice"], stars=4, comment="Fijn"),
    Chat("p2", utc(2024, 9, 12, 16, 0), "left_waiting"),
    Chat("p3", utc(2024, 9, 12, 17, 0), "answered", 90, 25 * 60, ("tom",), visitor_type="pupil", age=17,
         topics=["bullying"], results=["emotional_support"]),
    # --- 2023-2024, for the suicide trend ---
    Chat("e1", utc(2024, 3, 4, 17, 0), "answered", 15, 600, ("lies",), visitor_type="pupil", age=13,
         topics=["suicidal_thoughts"], results=["emotional_support"]),
    Chat("e2", utc(2024, 3, 4, 18, 0), "answered", 15, 600, ("lies",), visitor_type="pupil",
         topics=["study_choice"], results=["info_advice"]),
    Chat("e3", utc(2024, 3, 5, 18, 0), "answered", 15, 600, ("tom",), visitor_type="parent",
         topics=["study_choice"], results=["info_advice"]),
]

# The days the chat was open, as the report is given them (a test's own list, not a schedule).
OPENING_DATES = [date(2025, 9, 1), date(2025, 9, 10), date(2025, 9, 30), date(2025, 10, 1), date(2025, 10, 15),
                 date(2026, 2, 2), date(2024, 9, 12), date(2025, 8, 31)]


def build(session) -> dict[str, int]:
    """Insert the data set and commit; the conversation id of each chat by its key."""
    clbs = {code: Clb(code=code, name=name, network=network, active=True)
            for code, name, network in (("noord", "CLB Noord", "Vrij CLB Netwerk"), ("zuid", "CLB Zuid", "GO!"),
                                        ("oost", "CLB Oost", "OVSG"))}
    session.add_all(clbs.values())
    session.flush()
    users = {"lies": User(username="lies", display_name="Lies", role="counsellor", password_hash="-",
                          discipline="social_worker", home_clb_id=clbs["noord"].id, active=True),
             "tom": User(username="tom", display_name="Tom", role="counsellor", password_hash="-",
                         discipline="nurse", home_clb_id=clbs["zuid"].id, active=True)}
    session.add_all(users.values())
    school = session.scalar(select(Site).where(Site.slug == "school")) or Site(slug="school", name="Testschool")
    sites = {"school": school, "partner": Site(slug="partner", name="Partnersite")}
    session.add_all(sites.values())
    session.flush()
    ids = {}
    for chat in CHATS:
        conversation = _conversation(session, chat, sites, users)
        ids[chat.key] = conversation.id
    session.commit()
    for chat in CHATS:
        if chat.visitor_type is not None:
            owner = users[chat.owners[-1]]
            registration.register(session, ids[chat.key], owner, RegistrationInput(
                visitor_type=chat.visitor_type, age=chat.age, topics=chat.topics, results=chat.results,
                prank=chat.prank, crisis=chat.crisis), chat.requested_at + timedelta(hours=1))
    session.commit()
    return ids


def _conversation(session, chat: Chat, sites, users) -> Conversation:
    picked_up = chat.requested_at + timedelta(seconds=chat.wait) if chat.wait is not None else None
    if picked_up is not None:
        ended = picked_up + timedelta(seconds=chat.duration)
    else:
        ended = chat.requested_at + (timedelta(0) if chat.outcome == "turned_away" else timedelta(minutes=5))
    conversation = Conversation(
        site_id=sites[chat.site].id, ref=chat.ref, nickname=None if chat.outcome == "turned_away" else "Kiwi",
        visitor_role="pupil", status="ended", outcome=chat.outcome,
        ended_by="system" if chat.outcome in ("turned_away", "abandoned") else "visitor",
        requested_at=chat.requested_at, picked_up_at=picked_up, ended_at=ended,
        counsellor_id=users[chat.owners[-1]].id if chat.owners else None,
        rating_stars=chat.stars, rating_comment=chat.comment,
        rated_at=ended + timedelta(minutes=1) if chat.stars else None,
        crisis_at=picked_up + timedelta(minutes=2) if chat.marked_crisis else None,
        token_hash=f"{chat.key}-token" if chat.outcome != "turned_away" else None)
    session.add(conversation)
    session.flush()
    if picked_up is not None:
        # Each owner has an equal share of the chat; a hand-over between them was accepted.
        step = (ended - picked_up) / len(chat.owners)
        for i, username in enumerate(chat.owners):
            last = i == len(chat.owners) - 1
            session.add(Participation(conversation_id=conversation.id, user_id=users[username].id, role="owner",
                                      joined_at=picked_up + step * i, left_at=picked_up + step * (i + 1),
                                      left_because="ended" if last else "handed_over"))
            if not last:
                session.add(HandOver(conversation_id=conversation.id, from_user_id=users[username].id,
                                     to_user_id=users[chat.owners[i + 1]].id, offered_at=picked_up + step * (i + 1),
                                     expires_at=picked_up + step * (i + 1) + timedelta(seconds=30),
                                     answered_at=picked_up + step * (i + 1), outcome="accepted",
                                     accepted_by_id=users[chat.owners[i + 1]].id))
    if chat.key == "c7":  # an offer that was declined is no hand-over
        session.add(HandOver(conversation_id=conversation.id, from_user_id=users["lies"].id,
                             to_user_id=users["tom"].id, offered_at=picked_up, expires_at=picked_up,
                             answered_at=picked_up, outcome="declined"))
    return conversation


def rename_suicide_topic(session, now: datetime) -> None:
    """What a coordinator may do to the list later: a new name, under another domain."""
    code_lists.rename_option(session, "topics", "suicidal_thoughts", "Gedachten aan zelfdoding", "health", now)
    session.commit()
