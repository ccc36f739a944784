"""The counsellor's aids during a chat, in a browser: `/awel` + Enter inserts the Awel snippet at the
cursor and the visitor receives its text (the snippet's result code is kept for the registration);
the running time turns into a hint and then a visible warning on a test clock; marking the chat as a
crisis silences it. The visitor sees none of the aids."""

import re

import pytest
from playwright.sync_api import expect

from clbchat.extensions import db
from clbchat.models import Conversation

from .conftest import console_login, start_chat, wait_until, widget
from .test_console import _serious_violations

pytestmark = pytest.mark.browser

AWEL = "Bij Awel kan je gratis en anoniem praten over alles wat je bezighoudt: bel 102 of chat via www.awel.be."


def take_chat(console, page) -> None:
    console.get_by_test_id("take-next").click()
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")


def test_slash_awel_and_enter_inserts_the_snippet_and_the_visitor_receives_it(live, host_site, page, new_context):
    page.goto(host_site.url)
    conversation_id = start_chat(page, "Mila")
    console = console_login(new_context(), live)
    take_chat(console, page)
    pane = console.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')
    composer, menu = pane.get_by_test_id("pane-input"), pane.get_by_test_id("snippet-menu")

    composer.press_sequentially("Dat is zwaar. /aw")
    expect(menu).to_be_visible()
    first = menu.get_by_test_id("snippet-option").first
    expect(first).to_contain_text("Awel 102")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(first.get_by_test_id("snippet-stale")).to_have_text("gegevens nog nooit gecontroleerd")
    assert _serious_violations(console) == []
    composer.press("e")
    composer.press("l")
    composer.press("Enter")  # chooses the snippet; does not send

    expect(menu).to_be_hidden()
    expect(composer).to_have_value(f"Dat is zwaar. {AWEL}")
    composer.press_sequentially(" En ook /zelfm")  # a second snippet in the same message
    expect(menu.get_by_test_id("snippet-option").first).to_contain_text("Zelfmoordlijn 1813")
    composer.press("Escape")
    expect(menu).to_be_hidden()
    expect(composer).to_have_value(f"Dat is zwaar. {AWEL} En ook /zelfm")
    for _ in range(len("/zelfm")):
        composer.press("Backspace")
    composer.press("Enter")  # sends

    from_sofie = widget(page, "messages").locator('[data-sender="counsellor"]')
    expect(from_sofie).to_contain_text(f"Dat is zwaar. {AWEL} En ook")
    expect(widget(page, "messages")).not_to_contain_text("/awel")
    used = console.evaluate("id => import('/static/console/snippets.js').then(m => m.usedResultCodes(id))",
                            conversation_id)
    assert used == ["referral_partner"]

    pane.get_by_test_id("pane-end").click()  # the registration form opens with the referral ticked
    referral = pane.locator('input[name="results"][value="referral_partner"]')
    expect(referral).to_be_checked()
    expect(pane.locator('input[name="results"][value="info_advice"]')).not_to_be_checked()


def test_the_warning_shows_after_45_minutes_and_marking_crisis_hides_it(app, live, host_site, page, new_context):
    page.goto(host_site.url)
    conversation_id = start_chat(page, "Mila")
    context = new_context()
    context.clock.install()  # the console's clock: fast_forward moves it, the server's stays real
    console = console_login(context, live)
    take_chat(console, page)
    pane = console.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')
    duration, warning = pane.get_by_test_id("pane-duration"), pane.get_by_test_id("duration-warning")
    expect(duration).to_have_text("loopt 0 min")
    levels = console.evaluate("""() => import('/static/console/duration.js').then(m =>
        [34, 35, 44, 45, 90].map(minutes => m.durationLevel(minutes)))""")
    assert levels == ["normal", "hint", "hint", "warning", "warning"]
    expect(warning).to_be_hidden()

    console.clock.fast_forward("35:30")
    expect(duration).to_have_attribute("data-level", "hint")
    expect(warning).to_be_hidden()
    console.clock.fast_forward("10:00")
    expect(duration).to_have_attribute("data-level", "warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Dit gesprek loopt al 45 min")

    warning.get_by_test_id("duration-insert").click()  # the closing snippet suggested: the library's "Afronden"
    expect(pane.get_by_test_id("pane-input")).to_have_value(re.compile(
        r"^We zijn al een hele tijd aan het praten\. Ik stel voor dat we het gesprek straks afronden\."))

    crisis = pane.get_by_test_id("pane-crisis")
    crisis.click()
    expect(crisis).to_have_attribute("aria-pressed", "true")
    expect(warning).to_be_hidden()
    expect(duration).to_have_attribute("data-level", "crisis")

    def marked():
        with app.app_context():
            crisis_at = db.session.get(Conversation, conversation_id).crisis_at
            db.session.remove()
            return crisis_at

    wait_until(marked, what="crisis_at stored")
    console.clock.fast_forward("10:00")  # still quiet later on
    expect(warning).to_be_hidden()
    visitor_view = page.locator("#clbchat-root")
    expect(widget(page, "messages")).to_be_visible()
    expect(visitor_view).not_to_contain_text("Crisis")
    expect(visitor_view).not_to_contain_text("loopt")
