"""The registration after a chat in the console (docs/protocol.md, "Registratie"): the form opens in the
ended chat's pane and is filled by keyboard alone; a prank is one click; the "Nog te registreren" list
shows what is left (everyone's, with the name, for a coordinator) and brings a closed chat's form back;
the server's field errors show next to the field; axe finds nothing serious with the form open."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from clbchat.cli import upsert_user
from clbchat.domain import code_lists
from clbchat.extensions import db
from clbchat.models import Registration
from clbchat.unit_of_work import unit_of_work

from ..conftest import PASSWORD
from .conftest import console_login
from .test_console import _serious_violations

pytestmark = pytest.mark.browser


def pane_of(console, conversation_id: int):
    return console.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')


def open_item(console, conversation_id: int):
    return console.locator(f'[data-testid="registration-open-item"][data-conversation-id="{conversation_id}"]')


def focused_testid(page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.dataset.testid || null")


def tab_to(page, testid: str, limit: int = 80) -> None:
    """Press Tab until the element with this test id has the focus (keyboard only, as a counsellor would)."""
    for _ in range(limit):
        if focused_testid(page) == testid:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{testid} never got the focus by Tab")


def stored(app, conversation_id: int) -> dict | None:
    with app.app_context():
        reg = db.session.get(Registration, conversation_id)
        found = None if reg is None else {
            "visitor_type": reg.visitor_type, "age": reg.age, "prank": reg.prank, "crisis": reg.crisis,
            "note": reg.note, "codes": sorted((c.list_name, c.code) for c in reg.codes)}
        db.session.remove()
    return found


def take_chat(console, ws_visitor, nickname="Noor", role="pupil"):
    visitor = ws_visitor(nickname, role)
    console.get_by_test_id("take-next").click()
    pane = pane_of(console, visitor.conversation_id)
    expect(pane.get_by_test_id("pane-input")).to_be_focused()
    return visitor, pane


def test_a_counsellor_ends_a_chat_and_registers_it_by_keyboard_alone(app, live, new_context, ws_visitor):
    console = console_login(new_context(), live)
    expect(console.get_by_test_id("registrations-open-empty")).to_be_visible()
    noor, pane = take_chat(console, ws_visitor, "Noor", "pupil")

    tab_to(console, "pane-end")  # the chat is ended by keyboard too
    console.keyboard.press("Enter")
    form = pane.get_by_test_id("reg-form")
    expect(form).to_be_visible()
    expect(pane.get_by_test_id("pane-ended")).to_contain_text("Gesprek beëindigd")
    # The form opens on "who", pre-filled with what the visitor chose.
    expect(pane.get_by_test_id("reg-visitor_type-pupil")).to_be_focused()
    expect(pane.get_by_test_id("reg-visitor_type-pupil")).to_be_checked()
    # Not registered yet: on the list.
    expect(open_item(console, noor.conversation_id)).to_contain_text("Noor")
    expect(console.get_by_test_id("registrations-open-count")).to_have_text("1")

    console.keyboard.press("Tab")
    expect(pane.get_by_test_id("reg-age")).to_be_focused()
    console.keyboard.type("15")
    for testid in ("reg-topics-bullying", "reg-topics-family", "reg-results-emotional_support",
                   "reg-results-referral_clb", "reg-crisis-1"):
        tab_to(console, testid)
        console.keyboard.press("Space")
        expect(pane.get_by_test_id(testid)).to_be_checked()
    tab_to(console, "reg-note")
    console.keyboard.type("Komt misschien terug na het weekend.")
    tab_to(console, "reg-save")
    console.keyboard.press("Enter")

    done = pane.get_by_test_id("reg-done")
    expect(done).to_contain_text("Geregistreerd")
    expect(done).to_contain_text("Pesten")
    expect(pane.get_by_test_id("pane-close")).to_be_focused()  # saved: Enter closes the pane
    assert stored(app, noor.conversation_id) == {
        "visitor_type": "pupil", "age": 15, "prank": False, "crisis": True,
        "note": "Komt misschien terug na het weekend.",
        "codes": [("results", "emotional_support"), ("results", "referral_clb"),
                  ("topics", "bullying"), ("topics", "family")]}
    expect(console.get_by_test_id("registration-open-item")).to_have_count(0)
    expect(console.get_by_test_id("registrations-open-empty")).to_be_visible()

    # The author corrects it (PUT): Tab to "Aanpassen", one more topic, saved again.
    console.keyboard.press("Tab")
    expect(pane.get_by_test_id("reg-edit")).to_be_focused()
    console.keyboard.press("Enter")
    expect(pane.get_by_test_id("reg-topics-bullying")).to_be_checked()
    tab_to(console, "reg-topics-abuse")
    console.keyboard.press("Space")
    tab_to(console, "reg-save")
    console.keyboard.press("Enter")
    expect(done).to_contain_text("Geweld en misbruik")
    assert ("topics", "abuse") in stored(app, noor.conversation_id)["codes"]

    expect(pane.get_by_test_id("pane-close")).to_be_focused()
    console.keyboard.press("Enter")
    expect(pane).to_have_count(0)


def test_a_prank_is_registered_in_one_click_and_the_next_visitor_can_be_taken_meanwhile(
        app, live, new_context, ws_visitor):
    console = console_login(new_context(), live)
    lars, pane = take_chat(console, ws_visitor, "Lars", "other")
    lars.socket.send({"type": "leave", "reason": "quick_exit"})
    expect(pane.get_by_test_id("pane-ended")).to_contain_text("Snel weg")
    expect(pane.get_by_test_id("reg-visitor_type-other")).to_be_checked()

    # The open form blocks nothing: the next visitor is taken while it waits.
    ws_visitor("Mila")
    expect(console.get_by_test_id("take-next")).to_be_enabled()
    console.get_by_test_id("take-next").click()
    expect(console.get_by_test_id("chat-pane")).to_have_count(2)

    pane.get_by_test_id("reg-prank").click()
    expect(pane.get_by_test_id("reg-done")).to_contain_text("nepoproep")
    assert stored(app, lars.conversation_id) == {
        "visitor_type": "other", "age": None, "prank": True, "crisis": False, "note": None, "codes": []}
    expect(open_item(console, lars.conversation_id)).to_have_count(0)


def test_the_open_list_keeps_a_closed_chat_and_opens_its_form_again(app, live, new_context, ws_visitor):
    console = console_login(new_context(), live)
    noor, pane = take_chat(console, ws_visitor, "Noor", "parent")
    pane.get_by_test_id("pane-end").click()
    expect(pane.get_by_test_id("reg-form")).to_be_visible()

    # Saving without a topic or result says so next to those fields and stores nothing.
    pane.get_by_test_id("reg-save").click()
    expect(pane.get_by_test_id("reg-error-topics")).to_be_visible()
    expect(pane.get_by_test_id("reg-error-results")).to_be_visible()
    assert stored(app, noor.conversation_id) is None

    console.reload()  # `hello` lists only active chats: after a reload the open list still has it
    expect(console.get_by_test_id("connection-state")).to_have_attribute("data-state", "online")
    expect(open_item(console, noor.conversation_id)).to_be_visible()
    expect(pane).to_have_count(0)
    open_item(console, noor.conversation_id).click()
    expect(pane.get_by_test_id("reg-visitor_type-parent")).to_be_checked()
    pane.get_by_test_id("pane-close").click()  # closing without registering is allowed
    expect(pane).to_have_count(0)
    item = open_item(console, noor.conversation_id)
    expect(item).to_contain_text("Noor")
    expect(item).to_contain_text("Ouder")

    item.click()
    pane = pane_of(console, noor.conversation_id)
    expect(pane.get_by_test_id("reg-visitor_type-parent")).to_be_focused()
    # A coordinator retires a topic while the form is open: the server names the field.
    with app.app_context():
        with unit_of_work() as (session, _outbox):
            code_lists.retire_option(session, "topics", "grief", datetime.now(UTC))
        db.session.remove()
    pane.get_by_test_id("reg-topics-grief").check()
    pane.get_by_test_id("reg-results-info_advice").check()
    pane.get_by_test_id("reg-save").click()
    expect(pane.get_by_test_id("reg-error-topics")).to_contain_text("grief")
    assert (focused_testid(console) or "").startswith("reg-topics-")  # focus goes to the field named
    assert stored(app, noor.conversation_id) is None

    pane.get_by_test_id("reg-topics-grief").uncheck()
    pane.get_by_test_id("reg-topics-family").check()
    pane.get_by_test_id("reg-save").click()
    expect(pane.get_by_test_id("reg-done")).to_be_visible()
    assert stored(app, noor.conversation_id)["codes"] == [("results", "info_advice"), ("topics", "family")]
    expect(console.get_by_test_id("registration-open-item")).to_have_count(0)


def test_a_coordinator_sees_everyones_open_registrations_with_the_name(app, live, new_context, ws_visitor):
    with app.app_context():
        upsert_user("ella", "Ella", "coordinator", PASSWORD)
        db.session.remove()
    sofie = console_login(new_context(), live)
    noor, pane = take_chat(sofie, ws_visitor, "Noor")
    pane.get_by_test_id("pane-end").click()
    expect(pane.get_by_test_id("reg-form")).to_be_visible()

    ella = console_login(new_context(), live, "ella")
    item = open_item(ella, noor.conversation_id)
    expect(item).to_contain_text("Noor")
    expect(item).to_contain_text("Sofie")
    item.click()
    ella_pane = pane_of(ella, noor.conversation_id)
    expect(ella_pane.get_by_test_id("reg-form")).to_contain_text("gesprek van Sofie")
    ella_pane.get_by_test_id("reg-prank").click()
    expect(ella_pane.get_by_test_id("reg-done")).to_be_visible()

    # Sofie's form was still open: her save finds it done and says so.
    pane.get_by_test_id("reg-topics-study_choice").check()
    pane.get_by_test_id("reg-results-info_advice").check()
    pane.get_by_test_id("reg-save").click()
    expect(pane.get_by_test_id("reg-done")).to_contain_text("al geregistreerd")
    assert stored(app, noor.conversation_id)["prank"] is True


def test_no_serious_accessibility_violation_with_the_registration_form_open(live, new_context, ws_visitor):
    console = console_login(new_context(), live)
    noor, pane = take_chat(console, ws_visitor, "Noor", "parent")
    noor.say("Hallo, ik heb een vraag over mijn dochter.", "v-1")
    noor.socket.send({"type": "leave", "reason": "left"})
    expect(pane.get_by_test_id("reg-form")).to_be_visible()
    expect(open_item(console, noor.conversation_id)).to_be_visible()
    found = {"form": _serious_violations(console)}
    pane.get_by_test_id("reg-save").click()
    expect(pane.get_by_test_id("reg-error-topics")).to_be_visible()
    found["form with errors"] = _serious_violations(console)
    pane.get_by_test_id("reg-prank").click()
    expect(pane.get_by_test_id("reg-done")).to_be_visible()
    found["registered"] = _serious_violations(console)
    assert found == {view: [] for view in found}


def test_a_result_suggested_during_the_chat_is_ticked_when_the_form_opens(live, new_context, ws_visitor):
    """The hook for referral snippets (registration.js suggestResult): used during the chat, pre-ticked after."""
    console = console_login(new_context(), live)
    noor, pane = take_chat(console, ws_visitor, "Noor")
    console.evaluate("""async (id) => {
        const { chats } = await import("/static/console/state.js");
        const { suggestResult } = await import("/static/console/registration.js");
        suggestResult(chats.get(id), "referral_clb");
    }""", noor.conversation_id)
    pane.get_by_test_id("pane-end").click()
    expect(pane.get_by_test_id("reg-results-referral_clb")).to_be_checked()
    expect(pane.get_by_test_id("reg-results-info_advice")).not_to_be_checked()
