"""Outside opening hours the button says so, and opening it shows where else to go; no socket."""

import pytest
from playwright.sync_api import expect

from .conftest import widget

pytestmark = pytest.mark.browser


@pytest.fixture
def closed_config(app_config):
    app_config["CHAT_HOURS"] = "24/7 off"
    return app_config


def test_closed_button_shows_the_alternatives_and_opens_no_socket(closed_config, live, host_site, context, page):
    sockets, posts = [], []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    page.goto(host_site.url)

    launcher = widget(page, "launcher")
    expect(launcher).to_contain_text("Chat met het CLB")
    expect(launcher).to_contain_text("Gesloten")
    launcher.click()

    closed = widget(page, "closed")
    expect(closed).to_be_visible()
    expect(closed.get_by_role("heading", name="De chat is nu gesloten")).to_be_focused()
    expect(widget(page, "nickname")).to_have_count(0)  # no start form
    alternatives = widget(page, "alternatives")
    for name, number in [("Awel", "102"), ("Zelfmoordlijn", "1813"), ("Tele-Onthaal", "106"), ("Noodgeval", "112")]:
        expect(alternatives).to_contain_text(name)
        expect(alternatives.locator(f'a[href="tel:{number}"]')).to_have_text(f"bel {number}")
    expect(closed.locator("tbody tr")).to_have_count(7)  # the week's hours: all closed
    expect(closed.locator("tbody")).not_to_contain_text(":")

    assert sockets == [] and posts == []
    assert page.evaluate("() => sessionStorage.length + localStorage.length") == 0
    assert context.cookies() == []
