"""The shared board (prikbord): any counsellor adds a note, the team reads the current ones newest
first, notes expire after BOARD_DAYS, only the author or a coordinator takes one down, removed and
expired notes are deleted for good, and bad input is refused naming the field, storing nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from clbchat import config
from clbchat.domain import board
from clbchat.domain.errors import DomainError
from clbchat.models import BoardNote

from .conftest import T0

DAYS = 14
PATTERN = "Vraagt steeds naar het gsm-nummer van de medewerker. Vriendelijk begrenzen en afsluiten."


def refused(action) -> DomainError:
    with pytest.raises(DomainError) as info:
        action()
    return info.value


def note_count(session) -> int:
    return session.scalar(select(func.count()).select_from(BoardNote))


def test_a_note_is_on_the_board_newest_first_with_its_author_until_it_expires(session, counsellor, make_user):
    jonas = make_user("jonas", display_name="Jonas V.")
    older = board.add(session, counsellor, "  Kiwi   123 ", f"\n  {PATTERN}  \n", DAYS, T0)
    newer = board.add(session, jonas, None, "Meldt zich elke woensdag met een nieuw verhaal.", DAYS,
                      T0 + timedelta(hours=1))
    session.commit()

    shown = board.current(session, T0 + timedelta(hours=2))

    assert [n.id for n in shown] == [newer.id, older.id]
    first = board.view(shown[1], counsellor)
    assert (first["nickname"], first["body"], first["author"]) == ("Kiwi 123", PATTERN, "Sofie")
    assert first["expires_at"] == T0 + timedelta(days=DAYS)
    assert board.view(shown[0], counsellor)["author"] == "Jonas V."
    # Still there a moment before it expires, gone from the moment it does.
    assert older in board.current(session, T0 + timedelta(days=DAYS) - timedelta(seconds=1))
    assert older not in board.current(session, T0 + timedelta(days=DAYS))
    assert newer in board.current(session, T0 + timedelta(days=DAYS))


def test_the_nickname_is_optional_and_the_limits_hold_after_trimming(session, counsellor):
    blank = board.add(session, counsellor, "   ", "Zelfde verhaal als vorige week.", DAYS, T0)
    edge = board.add(session, counsellor, "  " + "n" * 24 + "  ", " " + "b" * 1000 + " ", DAYS, T0)
    assert blank.nickname is None
    assert (edge.nickname, edge.body) == ("n" * 24, "b" * 1000)


@pytest.mark.parametrize(("nickname", "body", "field"), [
    ("n" * 25, PATTERN, "nickname"),
    ("Ki\x00wi", PATTERN, "nickname"),
    ("Ki\ud800wi", PATTERN, "nickname"),
    (42, PATTERN, "nickname"),
    ("Kiwi", None, "body"),
    ("Kiwi", "", "body"),
    ("Kiwi", " \n\t ", "body"),
    ("Kiwi", "b" * 1001, "body"),
    ("Kiwi", "nep\x00oproep", "body"),
    ("Kiwi", "nep\udfffoproep", "body"),
])
def test_bad_input_names_the_field_and_stores_nothing(session, counsellor, nickname, body, field):
    error = refused(lambda: board.add(session, counsellor, nickname, body, DAYS, T0))
    assert (error.code, error.details["field"]) == ("invalid", field)
    session.rollback()
    assert note_count(session) == 0


def test_an_inactive_account_cannot_write(session, counsellor):
    counsellor.active = False
    assert refused(lambda: board.add(session, counsellor, "Kiwi", PATTERN, DAYS, T0)).code == "forbidden"
    assert note_count(session) == 0


def test_the_author_or_a_coordinator_removes_a_note_not_a_colleague(session, counsellor, coordinator, make_user):
    jonas = make_user("jonas")
    mine = board.add(session, counsellor, "Kiwi", PATTERN, DAYS, T0)
    other = board.add(session, counsellor, "Mango", PATTERN, DAYS, T0)
    session.commit()
    assert board.view(mine, counsellor)["removable"] is True
    assert board.view(mine, jonas)["removable"] is False
    assert board.view(mine, coordinator)["removable"] is True

    error = refused(lambda: board.remove(session, mine.id, jonas, T0 + timedelta(hours=1)))
    assert error.code == "forbidden"
    session.rollback()
    assert session.get(BoardNote, mine.id).removed_at is None

    later = T0 + timedelta(hours=2)
    board.remove(session, mine.id, counsellor, later)
    board.remove(session, other.id, coordinator, later)
    session.commit()
    assert board.current(session, later) == []
    assert session.get(BoardNote, mine.id).removed_at == later


def test_an_unknown_removed_or_expired_note_is_not_found(session, counsellor):
    removed = board.add(session, counsellor, "Kiwi", PATTERN, DAYS, T0)
    expired = board.add(session, counsellor, "Mango", PATTERN, 1, T0)
    board.remove(session, removed.id, counsellor, T0)
    session.commit()
    for note_id in (removed.id, expired.id, 999_999):
        error = refused(lambda note_id=note_id: board.remove(session, note_id, counsellor, T0 + timedelta(days=1)))
        assert (error.code, error.details["field"]) == ("not_found", "id")


def test_purge_deletes_removed_and_expired_notes_and_keeps_current_ones(session, counsellor):
    current = board.add(session, counsellor, "Kiwi", PATTERN, DAYS, T0)
    board.add(session, counsellor, "Mango", PATTERN, 1, T0)  # expired by the purge below
    removed = board.add(session, counsellor, "Peer", PATTERN, DAYS, T0)
    board.remove(session, removed.id, counsellor, T0)
    session.commit()

    assert board.purge(session, T0 + timedelta(days=1)) == 2
    session.commit()
    assert session.scalars(select(BoardNote.id)).all() == [current.id]
    assert board.purge(session, T0 + timedelta(days=1)) == 0  # again: nothing left to do


def test_the_hubs_housekeeping_purges_the_board(app, session, counsellor):
    now = datetime.now(UTC)
    expired = board.add(session, counsellor, "Kiwi", PATTERN, 1, now - timedelta(days=2))
    current = board.add(session, counsellor, "Mango", PATTERN, DAYS, now - timedelta(days=2))
    expired_id, current_id = expired.id, current.id
    session.commit()  # and no read after it: this session's next snapshot comes after the purge

    app.extensions["clbchat.hub"].housekeeping()

    assert session.get(BoardNote, expired_id) is None and session.get(BoardNote, current_id) is not None


def test_board_days_is_read_from_the_environment_and_is_at_least_one(tmp_path):
    env = {"SECRET_KEY": "x", "CLBCHAT_VAR_DIR": str(tmp_path)}
    assert config.from_env(env)["BOARD_DAYS"] == 14
    assert config.from_env({**env, "BOARD_DAYS": "7"})["BOARD_DAYS"] == 7
    for bad in ("0", "-3", "veertien"):
        with pytest.raises(ValueError):
            config.from_env({**env, "BOARD_DAYS": bad})
