"""The shared board (prikbord) in the console, in a browser: Sofie adds a note (a note without its
pattern is refused before anything is sent), Jonas's console shows it after a reload without a remove
button, Sofie takes it down and it is gone for both. A note's text stays text."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from clbchat.extensions import db
from clbchat.models import BoardNote

from .conftest import console_login
from .test_console import _serious_violations

pytestmark = pytest.mark.browser

PATTERN = "Vraagt telkens naar het gsm-nummer van de medewerker. <b>Vriendelijk</b> begrenzen, dan afsluiten."


def note_count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(BoardNote))
        db.session.remove()
        return count


def test_a_note_added_by_one_counsellor_shows_in_a_colleagues_console_and_its_author_removes_it(
        app, live, new_context):
    sofie = console_login(new_context(), live)
    jonas = console_login(new_context(), live, "jonas")
    board = sofie.get_by_test_id("board")
    expect(board.get_by_test_id("board-help")).to_contain_text("Niets dat een bezoeker herkenbaar maakt")
    expect(board.get_by_test_id("board-help")).to_contain_text("Notities verdwijnen na 14 dagen.")
    expect(board.get_by_test_id("board-empty")).to_be_visible()

    board.get_by_test_id("board-new").click()
    board.get_by_label("Gebruikte nickname").fill("  Kiwi123 ")
    board.get_by_label("Patroon en aanpak").fill("   ")
    board.get_by_test_id("board-add").click()  # no pattern: said next to the field, nothing sent
    expect(board.get_by_test_id("board-body-error")).to_have_text("Schrijf het patroon en hoe je ermee omgaat.")
    expect(board.get_by_label("Patroon en aanpak")).to_be_focused()
    assert note_count(app) == 0
    board.get_by_label("Patroon en aanpak").fill(PATTERN)
    assert _serious_violations(sofie) == []
    board.get_by_test_id("board-add").click()

    note = board.get_by_test_id("board-note")
    expect(note).to_have_count(1)
    expect(note.get_by_test_id("board-note-nickname")).to_have_text("Kiwi123")
    expect(note.get_by_test_id("board-note-body")).to_have_text(PATTERN)  # the tags are text, not markup
    assert note.locator("b").count() == 0
    expect(note.get_by_test_id("board-note-meta")).to_contain_text("Sofie")
    expect(note.get_by_test_id("board-note-meta")).to_contain_text("verloopt over 14 dagen")
    expect(board.get_by_test_id("board-count")).to_have_text("1")
    expires = sofie.evaluate("""() => import('/static/console/board.js').then(m => [
        m.expiresText('2026-12-10T12:00:00Z', Date.parse('2026-12-01T12:00:00Z')),
        m.expiresText('2026-12-10T12:00:00Z', Date.parse('2026-12-01T13:00:00Z')),
        m.expiresText('2026-12-10T12:00:00Z', Date.parse('2026-12-10T11:00:00Z'))])""")
    assert expires == ["verloopt over 9 dagen", "verloopt over 9 dagen", "verloopt over 1 dag"]  # a day begun counts
    expect(board.get_by_test_id("board-body-error")).to_be_hidden()
    assert note_count(app) == 1

    jonas.reload()
    theirs = jonas.get_by_test_id("board").get_by_test_id("board-note")
    expect(theirs).to_have_count(1)
    expect(theirs.get_by_test_id("board-note-nickname")).to_have_text("Kiwi123")
    expect(theirs.get_by_test_id("board-note-meta")).to_contain_text("Sofie")
    expect(theirs.get_by_test_id("board-note-remove")).to_have_count(0)  # not his note

    note.get_by_role("button", name="Notitie over Kiwi123 weghalen").click()
    expect(board.get_by_test_id("board-note")).to_have_count(0)
    expect(board.get_by_test_id("board-empty")).to_be_visible()
    jonas.reload()
    expect(jonas.get_by_test_id("board").get_by_test_id("board-empty")).to_be_visible()
    expect(jonas.get_by_test_id("board").get_by_test_id("board-note")).to_have_count(0)
