"""The coordinator on call, in three browsers (the visitor, Sofie, Lotte the coordinator): Sofie asks for help
(first with nobody to answer, then with Lotte online); Lotte's console shows the alert and the chat in her
overview, takes her to the chat read-only, where she whispers with Sofie; Sofie sees that Lotte looks on; the
visitor sees none of it until Lotte takes part, and then reads her under her own name; Lotte stops and her pane
goes. And a coordinator looking on when the counsellor ends the chat: the registration stays the counsellor's."""

import re

import pytest
from playwright.sync_api import expect

from clbchat.cli import upsert_user
from clbchat.extensions import db

from ..conftest import PASSWORD
from .conftest import console_login, start_chat, widget
from .test_console import _serious_violations
from .test_handover import pane_of, say

pytestmark = pytest.mark.browser

WHISPER = "Vraag eens of er thuis iemand is bij wie ze terecht kan."
ANSWER = "Doe ik, dank je."
JOINED = "Een coördinator neemt deel aan het gesprek."
LEFT = "De coördinator heeft het gesprek verlaten."


@pytest.fixture
def lotte(app):
    """The coordinator on call's account."""
    with app.app_context():
        upsert_user("lotte", "Lotte", "coordinator", PASSWORD)
        db.session.remove()


def chat_with_sofie(live, host_site, page, new_context):
    """Mila asks for a chat, Sofie takes it and they exchange a line; (Mila's id, Sofie's console, her pane)."""
    page.goto(host_site.url)
    mila = start_chat(page, "Mila", "Leerling")
    sofie = console_login(new_context(), live, "sofie")
    sofie.get_by_test_id("take-next").click()
    pane = pane_of(sofie, mila)
    say(pane, "Hallo Mila, waarmee kan ik je helpen?")
    widget(page, "message-input").fill("Het gaat niet goed thuis.")
    widget(page, "message-input").press("Enter")
    expect(pane.locator('[data-sender="visitor"]')).to_contain_text("Het gaat niet goed thuis.")
    return mila, sofie, pane


def test_a_coordinator_answers_a_call_for_help_looks_on_whispers_joins_and_stops(live, host_site, page,
                                                                                 new_context, lotte):
    mila, sofie, pane = chat_with_sofie(live, host_site, page, new_context)
    expect(sofie.get_by_test_id("overview")).to_have_count(0)  # a counsellor has no overview
    expect(pane.get_by_test_id("watch-banner")).to_be_hidden()

    # No coordinator online: the pane says so in the server's words, and nothing else happens.
    pane.get_by_role("button", name="Hulp vragen").click()
    expect(pane.get_by_test_id("help-status")).to_have_text(
        "Er is nu geen coördinator online. Bel de coördinator van wacht.")

    lotte_console = console_login(new_context(), live, "lotte")
    overview = lotte_console.get_by_test_id("overview")
    row = overview.get_by_test_id("overview-row").filter(has_text="Mila")
    expect(row).to_contain_text("Leerling")
    expect(row.get_by_test_id("overview-counsellor")).to_have_text("Sofie")
    expect(row.get_by_test_id("overview-discipline")).to_have_text("andere discipline")
    expect(row.get_by_test_id("overview-duration")).to_have_text(re.compile(r"^loopt \d+ s$"))
    expect(row.get_by_test_id("overview-watchers")).to_be_hidden()
    expect(overview.get_by_test_id("overview-unregistered")).to_have_text("Nog te registreren: 0 gesprekken")
    assert _serious_violations(lotte_console) == []

    pane.get_by_role("button", name="Hulp vragen").click()
    expect(pane.get_by_test_id("help-status")).to_contain_text("Hulp gevraagd aan 1 coördinator")
    alert = lotte_console.get_by_test_id("help-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Sofie vraagt hulp bij Mila")
    expect(lotte_console.get_by_test_id("help-alerts")).to_have_attribute("aria-live", "assertive")
    expect(lotte_console.locator("#console")).to_have_attribute("data-beeps", "1")  # the console's signal
    assert _serious_violations(lotte_console) == []

    alert.get_by_role("button", name="Naar het gesprek").click()
    expect(alert).to_have_count(0)
    watched = pane_of(lotte_console, mila)
    banner = watched.get_by_test_id("watch-banner")
    expect(banner).to_contain_text("Je kijkt mee — de bezoeker ziet je niet")
    expect(banner).to_contain_text("Gesprek van Sofie")
    transcript = watched.get_by_test_id("pane-messages")
    expect(transcript).to_contain_text("Hallo Mila, waarmee kan ik je helpen?")
    expect(transcript).to_contain_text("Het gaat niet goed thuis.")
    expect(transcript).to_be_focused()
    for part in ("pane-input", "pane-send", "pane-end", "pane-handover", "pane-crisis", "pane-help"):
        expect(watched.get_by_test_id(part)).to_be_hidden()
    expect(row.get_by_test_id("overview-watchers")).to_have_text("Coördinator erbij: Lotte (jij)")
    expect(row.get_by_test_id("overview-watch")).to_have_text("Naar het gesprek")
    assert _serious_violations(lotte_console) == []

    # Sofie sees at once who looks on; the call for help was answered.
    expect(pane.get_by_test_id("pane-staff-in")).to_have_text("Lotte kijkt mee")
    expect(pane.get_by_test_id("help-status")).to_be_hidden()

    # Whispering, both ways, in the staff strip only.
    to_sofie = watched.get_by_label("Fluister naar Sofie")
    to_sofie.fill(WHISPER)
    watched.get_by_role("button", name="Fluisteren").click()
    expect(watched.get_by_test_id("staff-lines")).to_contain_text(WHISPER)
    expect(to_sofie).to_have_value("")
    expect(pane.get_by_test_id("staff-lines")).to_contain_text(WHISPER)
    expect(pane.get_by_test_id("staff-lines").get_by_test_id("staff-line").filter(has_text=WHISPER)).to_contain_text(
        "Lotte")
    to_lotte = pane.get_by_label("Fluister naar Lotte")
    to_lotte.fill(ANSWER)
    to_lotte.press("Enter")
    expect(watched.get_by_test_id("staff-lines")).to_contain_text(ANSWER)
    expect(pane.get_by_test_id("pane-messages")).not_to_contain_text(WHISPER)
    expect(transcript).not_to_contain_text(ANSWER)

    # Sofie goes on with Mila as before; Lotte reads along; Mila sees nothing of the staff side.
    say(pane, "Wie is er thuis bij je?")
    visitor_thread = widget(page, "messages")
    expect(visitor_thread).to_contain_text("Wie is er thuis bij je?")
    expect(transcript).to_contain_text("Wie is er thuis bij je?")
    for staff_only in (WHISPER, ANSWER, "kijkt mee", "Lotte", "hulp"):
        expect(visitor_thread).not_to_contain_text(staff_only)
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")

    # Taking part: Mila is told, and reads Lotte under her own name.
    watched.get_by_role("button", name="Deelnemen").click()
    expect(banner).to_contain_text("Je neemt deel aan het gesprek — de bezoeker ziet je berichten")
    expect(watched.get_by_role("button", name="Deelnemen")).to_be_hidden()
    expect(visitor_thread.locator('[data-sender="system"]')).to_have_text(JOINED)
    expect(pane.get_by_test_id("pane-staff-in")).to_have_text("Lotte neemt deel")
    composer = watched.get_by_test_id("pane-input")
    expect(composer).to_be_visible()
    expect(composer).to_be_focused()
    expect(watched.get_by_test_id("pane-end")).to_be_hidden()  # still Sofie's chat to end
    say(watched, "Dag Mila, ik ben Lotte. Ik denk even mee.")
    from_lotte = visitor_thread.locator('[data-sender="coordinator"]')
    expect(from_lotte).to_contain_text("Dag Mila, ik ben Lotte. Ik denk even mee.")
    expect(from_lotte.locator(".a")).to_contain_text("Lotte")
    own = watched.locator('[data-sender="coordinator"]')
    expect(own).to_have_count(1)  # her own line once, stored: not pending, not failed
    expect(own).to_have_attribute("data-seq", re.compile(r"^\d+$"))
    expect(own).not_to_have_attribute("data-pending", "true")
    expect(own).to_contain_text("Lotte · coördinator")
    in_sofies_pane = pane.locator('[data-sender="coordinator"]')
    expect(in_sofies_pane).to_contain_text("Dag Mila, ik ben Lotte.")
    expect(in_sofies_pane).to_contain_text("Lotte · coördinator")
    widget(page, "message-input").fill("Oké, dank jullie.")
    widget(page, "message-input").press("Enter")
    expect(transcript.locator('[data-sender="visitor"]').last).to_contain_text("Oké, dank jullie.")

    # Stopping: Lotte's pane goes without the words for a chat sent back to the queue; Sofie goes on.
    watched.get_by_role("button", name="Stoppen").click()
    expect(lotte_console.get_by_test_id("chat-pane")).to_have_count(0)
    expect(lotte_console.get_by_test_id("chat-panes")).not_to_contain_text("Teruggegeven aan de wachtrij")
    expect(visitor_thread.locator('[data-sender="system"]').last).to_have_text(LEFT)
    expect(pane.get_by_test_id("pane-staff-in")).to_be_hidden()
    expect(pane.get_by_test_id("whisper")).to_be_hidden()
    expect(row.get_by_test_id("overview-watchers")).to_be_hidden()
    expect(row.get_by_test_id("overview-watch")).to_have_text("Meekijken")
    say(pane, "Ik ben er nog, Mila.")
    expect(visitor_thread.locator('[data-sender="counsellor"]').last).to_contain_text("Ik ben er nog, Mila.")


def test_a_coordinator_looking_on_sees_the_chat_end_and_leaves_the_registration_to_its_counsellor(
        live, host_site, page, new_context, lotte):
    mila, sofie, pane = chat_with_sofie(live, host_site, page, new_context)
    lotte_console = console_login(new_context(), live, "lotte")
    row = lotte_console.get_by_test_id("overview-row").filter(has_text="Mila")
    row.get_by_role("button", name="Meekijken").click()
    watched = pane_of(lotte_console, mila)
    expect(watched.get_by_test_id("watch-banner")).to_contain_text("Je kijkt mee")
    expect(pane.get_by_test_id("pane-staff-in")).to_have_text("Lotte kijkt mee")
    expect(pane.get_by_label("Fluister naar Lotte")).to_be_visible()

    pane.get_by_test_id("pane-end").click()
    expect(watched.get_by_test_id("pane-ended")).to_contain_text("Gesprek beëindigd (door Sofie)")
    expect(watched.get_by_test_id("whisper")).to_be_hidden()
    expect(watched.get_by_test_id("watch-join")).to_be_hidden()
    expect(pane.get_by_test_id("registration")).to_have_count(1)  # Sofie registers it
    expect(watched.get_by_test_id("registration")).to_have_count(0)
    expect(lotte_console.get_by_test_id("overview-row")).to_have_count(0)
    expect(lotte_console.get_by_test_id("overview-empty")).to_be_visible()
    expect(lotte_console.get_by_test_id("overview-unregistered")).to_have_text("Nog te registreren: 1 gesprek")
