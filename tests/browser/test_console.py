"""The counsellor console in a browser: the queue, the sound signal's mute toggle, the typing line,
and what an accessibility engine (axe-core) finds in its views."""

import pytest
from playwright.sync_api import expect

from .conftest import console_login, start_chat, widget

pytestmark = pytest.mark.browser


def test_new_visitors_raise_the_count_and_the_mute_toggle_silences_the_signal(live, new_context, ws_visitor):
    console = console_login(new_context(), live)
    count, mute = console.get_by_test_id("queue-count"), console.get_by_test_id("mute-toggle")
    root = console.locator("#console")
    expect(count).to_have_text("0")
    expect(console.get_by_test_id("queue-row")).to_have_count(0)
    expect(mute).to_have_attribute("aria-pressed", "false")

    noor = ws_visitor("Noor", "parent")
    expect(count).to_have_text("1")
    row = console.locator(f'[data-testid="queue-row"][data-conversation-id="{noor.conversation_id}"]')
    expect(row).to_contain_text("Noor")
    expect(row).to_contain_text("Ouder")
    expect(root).to_have_attribute("data-beeps", "1")  # the signal sounded once

    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    ws_visitor("Lars")
    expect(count).to_have_text("2")
    expect(console.get_by_test_id("queue-row")).to_have_count(2)
    expect(root).to_have_attribute("data-beeps", "1")  # muted: no new signal

    console.reload()  # the choice is remembered on this computer
    expect(console.get_by_test_id("mute-toggle")).to_have_attribute("aria-pressed", "true")
    expect(console.get_by_test_id("queue-count")).to_have_text("2")
    console.get_by_test_id("mute-toggle").click()
    expect(console.get_by_test_id("mute-toggle")).to_have_attribute("aria-pressed", "false")


def test_the_console_shows_when_the_visitor_is_typing(live, host_site, page, new_context):
    page.goto(host_site.url)
    conversation_id = start_chat(page, "Mila")
    console = console_login(new_context(), live)
    console.get_by_test_id("take-next").click()
    pane = console.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")
    typing = pane.get_by_test_id("pane-typing")
    expect(typing).to_be_hidden()

    widget(page, "message-input").press_sequentially("Ik weet niet goed hoe ik")
    expect(typing).to_be_visible()
    expect(typing).to_have_text("Mila typt…")

    widget(page, "message-input").press("Enter")
    expect(pane.get_by_test_id("pane-messages").locator('[data-sender="visitor"]')).to_contain_text(
        "Ik weet niet goed hoe ik")
    expect(typing).to_be_hidden()  # a sent message ends the typing line


def _serious_violations(page) -> list:
    """axe-core's serious and critical findings on the whole page: (rule, impact, first targets).
    (At the time of writing it finds nothing of lower impact in these views either.)"""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violation_in_the_console(live, new_context, ws_visitor):
    found = {}
    context = new_context()
    login = context.new_page()
    login.goto(f"{live.url}/console/login")
    found["login"] = _serious_violations(login)
    login.locator("#username").fill("sofie")
    login.locator("#password").fill("fout wachtwoord")
    login.get_by_role("button", name="Aanmelden").click()
    expect(login.get_by_test_id("login-error")).to_be_visible()
    found["login error"] = _serious_violations(login)
    for name, path in (("start page", "/"), ("error page", "/chat/bestaat-niet")):
        login.goto(f"{live.url}{path}")
        found[name] = _serious_violations(login)
    login.close()

    console = console_login(context, live)
    found["empty queue"] = _serious_violations(console)
    noor = ws_visitor("Noor", "parent")
    ws_visitor("Lars")
    expect(console.get_by_test_id("queue-row")).to_have_count(2)
    found["queue"] = _serious_violations(console)

    console.get_by_test_id("take-next").click()
    pane = console.locator(f'[data-testid="chat-pane"][data-conversation-id="{noor.conversation_id}"]')
    expect(pane).to_be_visible()
    noor.say("Hallo, ik heb een vraag over mijn dochter.", "v-1")
    expect(pane.get_by_test_id("pane-messages")).to_contain_text("mijn dochter")
    found["open chat"] = _serious_violations(console)

    noor.socket.send({"type": "leave", "reason": "quick_exit"})
    expect(pane.get_by_test_id("pane-ended")).to_be_visible()
    found["ended chat"] = _serious_violations(console)
    assert found == {view: [] for view in found}
