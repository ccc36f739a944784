"""Passing a chat on to a colleague, in three browsers (the visitor, Sofie, a colleague): Sofie sees who is
online, hands the chat to "any nurse or doctor" with a note; Nora (a nurse) gets an offer with the note and
the transcript, accepts, and has the chat with the note in its staff-only strip; Sofie's pane says it was
handed over; the visitor reads one neutral line and goes on with Nora. And a named colleague who declines:
Sofie is told and keeps the chat (after a refused offer and a withdrawn one)."""

import pytest
from playwright.sync_api import expect

from clbchat.cli import upsert_user
from clbchat.extensions import db

from ..conftest import PASSWORD
from .conftest import console_login, start_chat, widget
from .test_console import _serious_violations

pytestmark = pytest.mark.browser

NOTE = "Vraagt naar de pil en bijwerkingen; <b>graag</b> iemand met medische kennis."
NOTICE = "Je wordt doorverbonden met een collega (verpleegkundige)."


@pytest.fixture
def nora(app):
    """A nurse's account."""
    with app.app_context():
        upsert_user("nora", "Nora", "counsellor", PASSWORD, discipline="nurse")
        db.session.remove()


def pane_of(console, conversation_id):
    return console.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')


def say(pane, text):
    pane.get_by_test_id("pane-input").fill(text)
    pane.get_by_test_id("pane-send").click()


def choose(dialog, label):
    dialog.get_by_test_id("handover-option").filter(has_text=label).get_by_role("radio").check()


def test_a_chat_handed_to_a_nurse_goes_on_with_her(live, host_site, page, new_context, nora):
    page.goto(host_site.url)
    mila = start_chat(page, "Mila", "Leerling")
    sofie = console_login(new_context(), live, "sofie")
    nurse = console_login(new_context(), live, "nora")
    sofie.get_by_test_id("take-next").click()
    pane = pane_of(sofie, mila)
    say(pane, "Hallo Mila, waarmee kan ik je helpen?")
    widget(page, "message-input").fill("Ik heb een vraag over de pil.")
    widget(page, "message-input").press("Enter")
    expect(pane.locator('[data-sender="visitor"]')).to_contain_text("Ik heb een vraag over de pil.")

    # Who is online, with discipline and load.
    colleague = sofie.get_by_test_id("colleague").filter(has_text="Nora")
    expect(colleague).to_contain_text("Verpleegkundige")
    expect(colleague).to_contain_text("0/2")
    expect(nurse.get_by_test_id("colleague").filter(has_text="Sofie")).to_contain_text("1/2")

    pane.get_by_test_id("pane-handover").click()
    dialog = sofie.get_by_test_id("handover-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("handover-colleagues")).to_contain_text("Nora")
    expect(dialog.get_by_test_id("handover-colleagues")).to_contain_text("Verpleegkundige · 0/2")
    expect(dialog.get_by_role("radio", name="Arts niemand vrij", exact=True)).to_be_disabled()
    choose(dialog, "Verpleegkundige of arts")
    dialog.get_by_role("button", name="Doorgeven").click()  # no note: said in the dialog, nothing sent
    expect(dialog).to_contain_text("Schrijf een korte overdrachtsnota voor je collega.")
    expect(dialog.get_by_label("Overdrachtsnota (alleen voor collega's)")).to_be_focused()
    expect(nurse.get_by_test_id("handover-offer")).to_have_count(0)
    dialog.get_by_label("Overdrachtsnota (alleen voor collega's)").fill(NOTE)
    assert _serious_violations(sofie) == []
    dialog.get_by_role("button", name="Doorgeven").click()

    expect(dialog).to_be_hidden()
    expect(pane.get_by_test_id("handover-waiting")).to_contain_text("Wacht op een verpleegkundige of arts (nog 0:")
    expect(pane.get_by_test_id("pane-handover")).to_be_disabled()
    expect(pane.get_by_test_id("staff-thread")).to_contain_text(NOTE)  # her own note, staff only

    offer = nurse.get_by_test_id("handover-offer")
    expect(offer).to_have_count(1)
    expect(offer.get_by_test_id("offer-from")).to_contain_text("Sofie")
    expect(offer.get_by_test_id("offer-note")).to_have_text(NOTE)  # text, not markup
    assert offer.locator("b").count() == 0
    transcript = offer.get_by_test_id("offer-transcript")
    expect(transcript).to_contain_text("Hallo Mila, waarmee kan ik je helpen?")
    expect(transcript).to_contain_text("Ik heb een vraag over de pil.")
    expect(offer.get_by_test_id("offer-countdown")).to_contain_text("nog 0:")
    expect(nurse.locator("#console")).to_have_attribute("data-beeps", "1")  # the console's signal sounded
    expect(nurse.get_by_test_id("live-region")).to_contain_text("Sofie wil je een gesprek doorgeven")
    assert _serious_violations(nurse) == []

    # While the offer stands the chat is still Sofie's.
    say(pane, "Ik zoek even een verpleegkundige voor je.")
    expect(widget(page, "messages")).to_contain_text("Ik zoek even een verpleegkundige voor je.")

    offer.get_by_role("button", name="Aannemen").focus()
    nurse.keyboard.press("Enter")
    taken = pane_of(nurse, mila)
    expect(taken).to_be_visible()
    expect(offer).to_have_count(0)
    expect(taken.get_by_test_id("pane-input")).to_be_focused()
    staff = taken.get_by_test_id("staff-thread")
    expect(staff).to_contain_text("Alleen voor collega's")
    expect(staff).to_contain_text(NOTE)
    expect(staff).to_contain_text("Sofie gaf dit gesprek door aan Nora.")
    expect(taken.get_by_test_id("pane-messages")).to_contain_text("Ik zoek even een verpleegkundige voor je.")
    expect(taken.get_by_test_id("pane-messages")).not_to_contain_text("graag")  # the note is not in the thread

    ended = pane.get_by_test_id("pane-ended")
    expect(ended).to_have_count(1)
    expect(ended).to_contain_text("Doorgegeven aan Nora")
    expect(pane.get_by_test_id("pane-input")).to_be_hidden()
    expect(pane.get_by_test_id("handover-bar")).to_be_hidden()

    system = widget(page, "messages").locator('[data-sender="system"]')
    expect(system).to_have_text(NOTICE)
    expect(widget(page, "counsellor-name")).to_have_text("Nora")
    say(taken, "Dag Mila, ik ben Nora, verpleegkundige.")
    expect(widget(page, "messages").locator('[data-sender="counsellor"]').last).to_contain_text(
        "Dag Mila, ik ben Nora, verpleegkundige.")
    widget(page, "message-input").fill("Dank je!")
    widget(page, "message-input").press("Enter")
    expect(taken.locator('[data-sender="visitor"]').last).to_contain_text("Dank je!")
    expect(widget(page, "messages")).not_to_contain_text("graag iemand")  # nothing of the staff side
    expect(system).to_have_count(1)

    # Both the `released` frame and the answer said it; Sofie heard it once.
    expect(sofie.get_by_test_id("live-region").get_by_text("Doorgegeven aan Nora")).to_have_count(1)
    expect(pane.get_by_test_id("registration")).to_have_count(0)  # hers no more to register


def test_a_named_colleague_declines_and_the_chat_stays(live, host_site, page, new_context):
    page.goto(host_site.url)
    mila = start_chat(page, "Mila", "Leerling")
    sofie = console_login(new_context(), live, "sofie")
    jonas = console_login(new_context(), live, "jonas")
    sofie.get_by_test_id("take-next").click()
    pane = pane_of(sofie, mila)
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")

    # No nurse or doctor online: that choice is off; if the list was behind, the server's answer is said in
    # the dialog, which stays open, and nothing is offered.
    pane.get_by_test_id("pane-handover").click()
    dialog = sofie.get_by_test_id("handover-dialog")
    medical = dialog.get_by_role("radio", name="Verpleegkundige of arts niemand vrij", exact=True)
    expect(medical).to_be_disabled()
    medical.evaluate("input => { input.disabled = false; }")  # as if the list had not caught up yet
    medical.check()
    dialog.get_by_label("Overdrachtsnota (alleen voor collega's)").fill("Medische vraag.")
    dialog.get_by_role("button", name="Doorgeven").click()
    expect(dialog.get_by_test_id("handover-error")).to_have_text(
        "Geen collega online die dit gesprek nu kan aannemen.")
    expect(dialog).to_be_visible()
    expect(pane.get_by_test_id("handover-bar")).to_be_hidden()
    expect(jonas.get_by_test_id("handover-offer")).to_have_count(0)

    # A first offer, withdrawn: the pane is back to normal and Jonas's card goes.
    choose(dialog, "Jonas")
    dialog.get_by_label("Overdrachtsnota (alleen voor collega's)").fill("Even overleggen.")
    dialog.get_by_role("button", name="Doorgeven").click()
    expect(pane.get_by_test_id("handover-waiting")).to_contain_text("Wacht op Jonas (nog 0:")
    offer = jonas.get_by_test_id("handover-offer")
    expect(offer).to_contain_text("voor jou")
    pane.get_by_test_id("handover-cancel").click()
    expect(pane.get_by_test_id("handover-bar")).to_be_hidden()
    expect(offer).to_have_count(0)
    expect(pane.get_by_test_id("pane-handover")).to_be_enabled()

    pane.get_by_test_id("pane-handover").click()
    choose(dialog, "Jonas")
    dialog.get_by_label("Overdrachtsnota (alleen voor collega's)").fill("Vraag over studiekeuze; jij kent dat beter.")
    dialog.get_by_role("button", name="Doorgeven").click()
    expect(pane.get_by_test_id("handover-waiting")).to_contain_text("Wacht op Jonas")
    expect(offer.get_by_test_id("offer-note")).to_have_text("Vraag over studiekeuze; jij kent dat beter.")
    offer.get_by_role("button", name="Weigeren").click()

    expect(offer).to_have_count(0)
    expect(pane.get_by_test_id("handover-notice")).to_have_text(
        "Jonas kan het gesprek niet aannemen; het blijft bij jou.")
    expect(pane.get_by_test_id("pane-ended")).to_have_count(0)
    expect(pane.get_by_test_id("pane-handover")).to_be_enabled()
    say(pane, "Ik blijf bij je, Mila.")
    expect(widget(page, "messages").locator('[data-sender="counsellor"]').last).to_contain_text(
        "Ik blijf bij je, Mila.")
    expect(widget(page, "messages").locator('[data-sender="system"]')).to_have_count(0)
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")
    expect(jonas.get_by_test_id("chat-pane")).to_have_count(0)


OFFER_SECONDS = 8


@pytest.fixture
def short_offers(app_config):
    """Offers that lapse in seconds; ask for it before `live`."""
    app_config["HANDOVER_SECONDS"] = OFFER_SECONDS


def test_one_of_a_group_declines_then_the_offer_lapses_and_the_chat_stays(short_offers, app, live, new_context,
                                                                            ws_visitor, nora):
    with app.app_context():
        upsert_user("eva", "Eva", "counsellor", PASSWORD, discipline="doctor")
        db.session.remove()
    noor = ws_visitor("Noor")
    sofie = console_login(new_context(), live, "sofie")
    nurse = console_login(new_context(), live, "nora")
    doctor = console_login(new_context(), live, "eva")
    sofie.get_by_test_id("take-next").click()
    pane = pane_of(sofie, noor.conversation_id)
    expect(pane).to_be_visible()

    pane.get_by_test_id("pane-handover").click()
    dialog = sofie.get_by_test_id("handover-dialog")
    expect(dialog.get_by_role("radio", name="Verpleegkundige of arts 2 vrij", exact=True)).to_be_enabled()
    choose(dialog, "Verpleegkundige of arts")
    dialog.get_by_label("Overdrachtsnota (alleen voor collega's)").fill("Vraag over medicatie.")
    dialog.get_by_role("button", name="Doorgeven").click()
    nurse.get_by_test_id("handover-offer").get_by_role("button", name="Weigeren").click()
    expect(nurse.get_by_test_id("handover-offer")).to_have_count(0)

    # One of the group can't: the offer still stands for the others, and Eva still has it.
    expect(pane.get_by_test_id("handover-declined-by")).to_have_text(
        "Nora kan het niet aannemen; je aanbod staat nog open.")
    expect(pane.get_by_test_id("handover-waiting")).to_contain_text("Wacht op een verpleegkundige of arts")
    expect(doctor.get_by_test_id("handover-offer")).to_contain_text("Vraag over medicatie.")

    # A reload while it stands: the pane and the colleague's card come back as they were.
    sofie.reload()
    expect(sofie.get_by_test_id("connection-state")).to_have_attribute("data-state", "online")
    pane = pane_of(sofie, noor.conversation_id)
    expect(pane.get_by_test_id("handover-waiting")).to_contain_text("Wacht op een verpleegkundige of arts (nog 0:0")
    doctor.reload()
    expect(doctor.get_by_test_id("handover-offer")).to_contain_text("Vraag over medicatie.")

    # Nobody accepts in time: Sofie is told and keeps the chat; the card goes.
    expect(pane.get_by_test_id("handover-notice")).to_have_text(
        "Niemand nam het gesprek aan; het blijft bij jou.", timeout=OFFER_SECONDS * 1000 + 10_000)
    expect(doctor.get_by_test_id("handover-offer")).to_have_count(0)
    expect(pane.get_by_test_id("pane-handover")).to_be_enabled()
    say(pane, "Ik help je zelf verder.")
    assert noor.socket.expect("message", text="Ik help je zelf verder.")["author"] == "Sofie"
