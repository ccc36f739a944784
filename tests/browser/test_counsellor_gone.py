"""In the browser: a pupil whose counsellor is gone is told so, keeps the thread and their place at
the head of the queue, and the colleague who takes over sees it all; a quick exit reads as "Snel weg"."""

import pytest
from playwright.sync_api import expect

from clbchat.domain.requeue import RETURNED_NOTICE

from .conftest import console_login, start_chat, widget

GRACE = 2


@pytest.fixture
def app_config(app_config):
    app_config["COUNSELLOR_GRACE_SECONDS"] = GRACE
    return app_config


def test_the_pupil_is_told_keeps_the_thread_and_a_colleague_takes_over(live, host_site, page, new_context,
                                                                         ws_visitor):
    page.goto(host_site.url)
    mila = start_chat(page, "Mila", "Leerling")
    sofie_context = new_context()
    sofie = console_login(sofie_context, live, "sofie")
    sofie.get_by_test_id("take-next").click()
    pane = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{mila}"]')
    pane.get_by_test_id("pane-input").fill("Hallo Mila")
    pane.get_by_test_id("pane-send").click()
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")
    ws_visitor("Noor")  # a new visitor, who must not pass Mila

    sofie_context.close()  # the laptop's lid closes: the console is gone

    notice = widget(page, "messages").locator('[data-sender="system"]')
    expect(notice).to_have_text(RETURNED_NOTICE, timeout=GRACE * 1000 + 10_000)
    expect(widget(page, "messages").locator('[data-sender="counsellor"]')).to_contain_text("Hallo Mila")
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    expect(widget(page, "counsellor-name")).to_have_count(0)  # no "Je praat met Sofie" any more
    expect(widget(page, "message-input")).to_have_count(0)  # nobody to write to until a colleague is there

    jonas = console_login(new_context(), live, "jonas")
    first = jonas.get_by_test_id("queue-row").nth(0)
    expect(first).to_have_attribute("data-conversation-id", str(mila))
    expect(first).to_contain_text("collega viel weg")
    jonas.get_by_test_id("take-next").click()
    pane = jonas.locator(f'[data-testid="chat-pane"][data-conversation-id="{mila}"]')
    expect(pane.get_by_test_id("pane-taken-over")).to_be_visible()
    expect(pane.get_by_test_id("pane-origin")).to_have_text("via Testschool")
    expect(pane.locator('[data-sender="counsellor"]')).to_contain_text("Hallo Mila")
    expect(pane.locator('[data-sender="system"]')).to_contain_text(RETURNED_NOTICE)

    expect(widget(page, "counsellor-name")).to_have_text("Jonas")
    widget(page, "message-input").fill("Ben jij er nu?")
    widget(page, "message-input").press("Enter")
    expect(pane.locator('[data-sender="visitor"]')).to_contain_text("Ben jij er nu?")


def test_a_quick_exit_reads_as_snel_weg_in_the_console(live, host_site, page, new_context):
    page.goto(host_site.url)
    mila = start_chat(page, "Mila", "Leerling")
    sofie = console_login(new_context(), live, "sofie")
    sofie.get_by_test_id("take-next").click()
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")

    widget(page, "quick-exit").click()

    ended = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{mila}"]').get_by_test_id("pane-ended")
    expect(ended).to_contain_text("Snel weg")
    expect(ended).to_have_attribute("data-ended-by", "quick_exit")
