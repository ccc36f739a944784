"""The waiting queue on a real (migrated) SQLite database: asking, positions, the snapshot, taking."""

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from clbchat.domain import conversations, queue
from clbchat.domain.errors import DomainError
from clbchat.extensions import db
from clbchat.models import Conversation, User
from clbchat.sqlite_locking import WRITE_OPTION

from .conftest import MAX_CHATS, T0

QUEUE_CHANGED = ("queue", {"type": "queue_changed"})


def status_event(conversation_id: int) -> tuple[str, dict]:
    return (f"conversation:{conversation_id}", {"type": "status", "conversation_id": conversation_id})


# --- asking for a chat ----------------------------------------------------------------------------

def test_request_chat_records_a_waiting_conversation(session, ask, site):
    request, outbox = ask("Kiwi", T0, role="parent")
    conversation = session.get(Conversation, request.conversation_id)
    assert conversation.status == "waiting"
    assert conversation.outcome is None
    assert conversation.nickname == "Kiwi"
    assert conversation.visitor_role == "parent"
    assert conversation.site_id == site.id
    assert conversation.requested_at == T0
    assert conversation.visitor_seen_at == T0
    assert outbox == [QUEUE_CHANGED]


def test_request_chat_stores_the_sha256_of_the_token_not_the_token(session, ask):
    request, _ = ask()
    assert request.token and len(request.token) >= 32
    expected_hash = hashlib.sha256(request.token.encode()).hexdigest()
    row = session.execute(text("SELECT * FROM conversations WHERE id = :id"), {"id": request.conversation_id})
    stored = row.mappings().one()
    assert stored["token_hash"] == expected_hash
    assert request.token not in [str(value) for value in stored.values()]
    assert conversations.by_token(session, request.token).id == request.conversation_id


def test_every_request_gets_its_own_token(ask):
    tokens = {ask(f"V{i}", T0 + timedelta(seconds=i))[0].token for i in range(5)}
    assert len(tokens) == 5


def test_request_chat_at_the_maximum_is_recorded_as_turned_away(session, ask):
    for i in range(3):
        ask(f"V{i}", T0 + timedelta(seconds=i), queue_max=3)
    request, outbox = ask("Late", T0 + timedelta(minutes=1), role="pupil", queue_max=3)
    assert request.token is None
    conversation = session.get(Conversation, request.conversation_id)
    assert conversation.status == "ended"
    assert conversation.outcome == "turned_away"
    assert conversation.ended_by == "system"
    assert conversation.token_hash is None
    assert conversation.nickname is None
    assert conversation.visitor_role == "pupil"
    assert conversation.ended_at == T0 + timedelta(minutes=1)
    assert outbox == []  # the queue did not change
    assert queue.waiting_count(session) == 3


def test_a_place_that_frees_up_lets_the_next_request_in(session, ask):
    first, _ = ask("V1", T0, queue_max=1)
    conversations.end(session, session.get(Conversation, first.conversation_id), "visitor", T0, [])
    request, _ = ask("V2", T0 + timedelta(seconds=1), queue_max=1)
    assert request.token is not None


# --- positions ------------------------------------------------------------------------------------

def test_positions_follow_arrival_order(session, ask):
    ids = [ask(f"V{i}", T0 + timedelta(seconds=10 - i))[0].conversation_id for i in range(3)]
    # Asked in the order V0, V1, V2 but with earlier and earlier times: V2 was first.
    positions = [queue.position_of(session, session.get(Conversation, cid)) for cid in ids]
    assert positions == [3, 2, 1]


def test_positions_at_the_same_instant_follow_the_id(session, ask):
    ids = [ask(f"V{i}", T0)[0].conversation_id for i in range(3)]
    assert [queue.position_of(session, session.get(Conversation, cid)) for cid in ids] == [1, 2, 3]


def test_position_moves_up_when_someone_ahead_leaves(session, ask):
    ids = [ask(f"V{i}", T0 + timedelta(seconds=i))[0].conversation_id for i in range(3)]
    conversations.end(session, session.get(Conversation, ids[0]), "visitor", T0 + timedelta(minutes=1), [])
    assert queue.position_of(session, session.get(Conversation, ids[1])) == 1
    assert queue.position_of(session, session.get(Conversation, ids[2])) == 2


def test_position_moves_up_when_someone_ahead_is_taken(session, ask, counsellor):
    ids = [ask(f"V{i}", T0 + timedelta(seconds=i))[0].conversation_id for i in range(2)]
    queue.take(session, counsellor, None, MAX_CHATS, T0 + timedelta(minutes=1), [])
    assert queue.position_of(session, session.get(Conversation, ids[1])) == 1


def test_no_position_outside_the_queue(session, ask, active_chat):
    assert queue.position_of(session, active_chat) is None
    turned_away, _ = ask("Late", T0, queue_max=0)
    assert queue.position_of(session, session.get(Conversation, turned_away.conversation_id)) is None


# --- the snapshot the consoles see ----------------------------------------------------------------

def test_snapshot_lists_the_waiting_in_order_with_their_positions(session, ask, active_chat):
    later, _ = ask("Later", T0 + timedelta(seconds=20), role=None)
    sooner, _ = ask("Sooner", T0 + timedelta(seconds=10), role="parent")
    ask("Away", T0, queue_max=0)  # turned away: not in the queue
    snap = queue.snapshot(session, T0 + timedelta(minutes=2), MAX_CHATS)
    assert snap.order == [sooner.conversation_id, later.conversation_id]
    assert snap.positions() == {sooner.conversation_id: 1, later.conversation_id: 2}
    assert [(e.id, e.nickname, e.visitor_role, e.requested_at) for e in snap.head] == [
        (sooner.conversation_id, "Sooner", "parent", T0 + timedelta(seconds=10)),
        (later.conversation_id, "Later", None, T0 + timedelta(seconds=20)),
    ]
    assert active_chat.id not in snap.order


def test_snapshot_head_is_capped_but_the_order_is_complete(session, ask):
    count = queue.CONSOLE_HEAD + 5
    for i in range(count):
        ask(f"V{i}", T0 + timedelta(seconds=i), queue_max=count)
    snap = queue.snapshot(session, T0 + timedelta(minutes=5), MAX_CHATS)
    assert len(snap.order) == count
    assert len(snap.head) == queue.CONSOLE_HEAD
    assert [e.id for e in snap.head] == snap.order[: queue.CONSOLE_HEAD]
    assert snap.positions()[snap.order[-1]] == count


def test_snapshot_rate_counts_recently_seen_active_counsellors_and_recent_pickups(session, ask, make_user):
    now = T0 + timedelta(hours=2)
    online, stale, inactive = make_user("online"), make_user("stale"), make_user("inactive")
    conversations.touch_counsellors(session, [online.id, inactive.id], now - timedelta(seconds=10))
    conversations.touch_counsellors(session, [stale.id], now - queue.ONLINE_WINDOW - timedelta(seconds=1))
    inactive.active = False
    old, _ = ask("Old", T0)
    recent, _ = ask("Recent", T0 + timedelta(seconds=1))
    queue.take(session, online, old.conversation_id, MAX_CHATS, now - queue.PICKUP_WINDOW - timedelta(minutes=1), [])
    queue.take(session, online, recent.conversation_id, MAX_CHATS, now - timedelta(minutes=5), [])
    rate = queue.snapshot(session, now, 3).rate
    assert rate.counsellors_online == 1
    assert rate.chats_per_counsellor == 3
    assert rate.recent_pickups == 1
    assert rate.oldest_pickup == now - timedelta(minutes=5)
    assert rate.now == now


def test_snapshot_rate_counts_the_free_places_of_the_counsellors_online(session, ask, make_user):
    now = T0 + timedelta(minutes=10)
    sofie, jonas, stale = make_user("sofie"), make_user("jonas", max_chats=3), make_user("stale")
    conversations.touch_counsellors(session, [sofie.id, jonas.id], now)
    conversations.touch_counsellors(session, [stale.id], now - queue.ONLINE_WINDOW - timedelta(seconds=1))
    assert queue.queue_rate(session, now, MAX_CHATS).free_places == 2 + 3  # stale counts no places
    for i, counsellor in enumerate([sofie, sofie, jonas, stale]):
        request, _ = ask(f"V{i}", T0 + timedelta(seconds=i))
        queue.take(session, counsellor, request.conversation_id, MAX_CHATS, now, [])
    ended, _ = ask("Ended", T0 + timedelta(minutes=1))
    queue.take(session, jonas, ended.conversation_id, MAX_CHATS, now, [])
    conversations.end(session, session.get(Conversation, ended.conversation_id), "visitor", now, [])
    rate = queue.queue_rate(session, now, MAX_CHATS)
    assert (rate.counsellors_online, rate.free_places) == (2, 0 + 2)  # Sofie is full, Jonas has 1 of 3


def test_a_coordinator_online_is_not_counted_as_a_counsellor(session, make_user):
    """The console's "online" count and the visitors' estimates count counsellors only: a coordinator
    watching the console does not take chats from the queue."""
    now = T0 + timedelta(minutes=10)
    sofie, coordinator = make_user("sofie"), make_user("coordinator")
    coordinator.role = "coordinator"
    session.commit()
    conversations.touch_counsellors(session, [sofie.id, coordinator.id], now)
    rate = queue.queue_rate(session, now, MAX_CHATS)
    assert (rate.counsellors_online, rate.free_places) == (1, MAX_CHATS)


# --- taking a visitor -----------------------------------------------------------------------------

def test_take_without_an_id_gives_the_oldest_waiting(session, ask, counsellor):
    second, _ = ask("Second", T0 + timedelta(seconds=5))
    first, _ = ask("First", T0)
    outbox: list = []
    picked_at = T0 + timedelta(minutes=1)
    conversation = queue.take(session, counsellor, None, MAX_CHATS, picked_at, outbox)
    assert conversation.id == first.conversation_id
    assert conversation.status == "active"
    assert conversation.counsellor_id == counsellor.id
    assert conversation.picked_up_at == picked_at
    assert outbox == [QUEUE_CHANGED, status_event(first.conversation_id)]
    assert session.get(Conversation, second.conversation_id).status == "waiting"


def test_take_a_specific_visitor(session, ask, counsellor):
    ask("First", T0)
    second, _ = ask("Second", T0 + timedelta(seconds=5))
    outbox: list = []
    conversation = queue.take(session, counsellor, second.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), outbox)
    assert conversation.id == second.conversation_id
    assert conversation.status == "active"
    assert outbox == [QUEUE_CHANGED, status_event(second.conversation_id)]


def test_taking_a_visitor_already_taken_raises_already_taken(session, ask, make_user):
    sofie, jonas = make_user("sofie"), make_user("jonas")
    request, _ = ask()
    queue.take(session, sofie, request.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    outbox: list = []
    with pytest.raises(DomainError) as info:
        queue.take(session, jonas, request.conversation_id, MAX_CHATS, T0 + timedelta(minutes=2), outbox)
    assert info.value.code == "already_taken"
    assert info.value.details == {"conversation_id": request.conversation_id}
    assert outbox == []
    conversation = session.get(Conversation, request.conversation_id)
    assert conversation.counsellor_id == sofie.id
    assert conversation.picked_up_at == T0 + timedelta(minutes=1)


def test_taking_a_visitor_who_does_not_exist_is_invalid(session, counsellor):
    with pytest.raises(DomainError) as info:
        queue.take(session, counsellor, 12345, MAX_CHATS, T0, [])
    assert info.value.code == "invalid"


def test_taking_from_an_empty_queue_raises_queue_empty(session, active_chat, counsellor):
    # (active_chat first: it creates the site, whose upsert ends its own session, before the counsellor)
    outbox: list = []
    with pytest.raises(DomainError) as info:
        queue.take(session, counsellor, None, MAX_CHATS, T0 + timedelta(minutes=2), outbox)
    assert info.value.code == "queue_empty"
    assert outbox == []


def test_take_refuses_past_the_default_chat_limit(session, ask, counsellor):
    ids = [ask(f"V{i}", T0 + timedelta(seconds=i))[0].conversation_id for i in range(3)]
    for _ in range(MAX_CHATS):
        queue.take(session, counsellor, None, MAX_CHATS, T0 + timedelta(minutes=1), [])
    with pytest.raises(DomainError) as info:
        queue.take(session, counsellor, None, MAX_CHATS, T0 + timedelta(minutes=2), [])
    assert info.value.code == "chat_limit"
    assert session.get(Conversation, ids[2]).status == "waiting"


def test_ending_a_chat_frees_a_place_under_the_limit(session, ask, counsellor):
    for i in range(3):
        ask(f"V{i}", T0 + timedelta(seconds=i))
    first = queue.take(session, counsellor, None, 1, T0 + timedelta(minutes=1), [])
    with pytest.raises(DomainError):
        queue.take(session, counsellor, None, 1, T0 + timedelta(minutes=2), [])
    conversations.end(session, first, "counsellor", T0 + timedelta(minutes=3), [])
    assert queue.take(session, counsellor, None, 1, T0 + timedelta(minutes=4), []).status == "active"


def test_a_users_own_max_chats_overrides_the_default(session, ask, make_user):
    solo, busy = make_user("solo", max_chats=1), make_user("busy", max_chats=3)
    for i in range(5):
        ask(f"V{i}", T0 + timedelta(seconds=i))
    queue.take(session, solo, None, MAX_CHATS, T0 + timedelta(minutes=1), [])
    with pytest.raises(DomainError) as info:
        queue.take(session, solo, None, MAX_CHATS, T0 + timedelta(minutes=1), [])
    assert info.value.code == "chat_limit"
    for _ in range(3):  # more than the default of 2
        queue.take(session, busy, None, MAX_CHATS, T0 + timedelta(minutes=1), [])
    with pytest.raises(DomainError) as info:
        queue.take(session, busy, None, MAX_CHATS, T0 + timedelta(minutes=1), [])
    assert info.value.code == "chat_limit"


# --- two counsellors at the same instant ----------------------------------------------------------

def race(engine, counsellor_ids: list[int], conversation_id: int | None, now) -> list[tuple[str, int | None, list]]:
    """Each counsellor takes in their own thread and their own Session, all starting together."""
    barrier = threading.Barrier(len(counsellor_ids))
    results: list = [None] * len(counsellor_ids)

    def attempt(index: int, counsellor_id: int) -> None:
        outbox: list = []
        with Session(engine) as own_session:
            barrier.wait()
            try:
                own_session.connection(execution_options={WRITE_OPTION: True})  # as unit_of_work() does
                counsellor = own_session.get(User, counsellor_id)
                conversation = queue.take(own_session, counsellor, conversation_id, MAX_CHATS, now, outbox)
                own_session.commit()
                results[index] = ("won", conversation.id, outbox)
            except DomainError as exc:
                own_session.rollback()
                results[index] = (exc.code, None, outbox)

    threads = [threading.Thread(target=attempt, args=(i, cid)) for i, cid in enumerate(counsellor_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_two_counsellors_taking_the_same_visitor_at_once_exactly_one_wins(session, ask, make_user):
    ids = [make_user("sofie").id, make_user("jonas").id]
    engine = db.engine
    for round_no in range(20):
        request, _ = ask(f"V{round_no}", T0 + timedelta(seconds=round_no))
        session.commit()
        session.close()  # no transaction of ours in the way of the two sessions

        results = race(engine, ids, request.conversation_id, T0 + timedelta(minutes=1, seconds=round_no))

        outcomes = sorted(code for code, _, _ in results)
        assert outcomes == ["already_taken", "won"], f"round {round_no}: {results}"
        winner = ids[[code for code, _, _ in results].index("won")]
        loser_outbox = next(outbox for code, _, outbox in results if code != "won")
        assert loser_outbox == []
        conversation = session.get(Conversation, request.conversation_id)
        assert conversation.status == "active"
        assert conversation.counsellor_id == winner
        # End it so neither counsellor reaches their chat limit in later rounds.
        conversations.end(session, conversation, "counsellor", T0 + timedelta(hours=1), [])
        session.commit()
        session.close()


def test_two_counsellors_taking_the_next_visitor_at_once_get_different_visitors(session, ask, make_user):
    ids = [make_user("sofie").id, make_user("jonas").id]
    engine = db.engine
    for round_no in range(20):
        first, _ = ask(f"A{round_no}", T0 + timedelta(seconds=2 * round_no))
        second, _ = ask(f"B{round_no}", T0 + timedelta(seconds=2 * round_no + 1))
        session.commit()
        session.close()

        results = race(engine, ids, None, T0 + timedelta(minutes=1))

        assert [code for code, _, _ in results] == ["won", "won"], f"round {round_no}: {results}"
        assert sorted(cid for _, cid, _ in results) == [first.conversation_id, second.conversation_id]
        owners = {c.id: c.counsellor_id for c in session.scalars(
            select(Conversation).where(Conversation.id.in_([first.conversation_id, second.conversation_id])))}
        assert sorted(owners.values()) == sorted(ids)
        for conversation in session.scalars(select(Conversation).where(Conversation.status == "active")).all():
            conversations.end(session, conversation, "counsellor", T0 + timedelta(hours=1), [])
        session.commit()
        session.close()
    assert session.scalar(select(func.count()).where(Conversation.picked_up_at.is_not(None))) == 40


# --- a burst of requests --------------------------------------------------------------------------

def test_a_burst_of_requests_at_the_same_instant_admits_exactly_queue_max(session, site):
    """Each request in its own thread and Session, in a write transaction as unit_of_work() opens it."""
    site_id, engine, queue_max, count = site.id, db.engine, 10, 40
    session.commit()
    session.close()
    barrier = threading.Barrier(count)
    tokens: list = [None] * count

    def ask(index: int) -> None:
        with Session(engine) as own_session:
            barrier.wait()
            own_session.connection(execution_options={WRITE_OPTION: True})
            request = queue.request_chat(own_session, site_id, f"V{index}", None, None, queue_max, T0, [])
            own_session.commit()
            tokens[index] = request.token

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert sum(token is not None for token in tokens) == queue_max
    assert queue.waiting_count(session) == queue_max
    turned_away = session.scalar(select(func.count()).where(Conversation.outcome == "turned_away"))
    assert turned_away == count - queue_max
