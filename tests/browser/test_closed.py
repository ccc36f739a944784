"""Outside opening hours the button says so, and opening it shows where else to go; no socket."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from clbchat.cli import upsert_site
from clbchat.extensions import db
from clbchat.widget_api.cors import clear_site_cache

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


@pytest.fixture
def closing_soon(app_config):
    """A schedule that closes at the next whole minute at least 20 s away (Brussels time)."""
    now = datetime.now(ZoneInfo("Europe/Brussels"))
    closes = (now + timedelta(seconds=20 + 60)).replace(second=0, microsecond=0)
    if closes.date() != now.date():
        pytest.skip("within two minutes of midnight: a same-day closing time cannot be written")
    app_config["CHAT_HOURS"] = f"Mo-Su 00:00-{closes:%H:%M}"
    return closes


def test_closing_time_flips_the_button_without_a_reload(closing_soon, live, app, host_site, context):
    with app.app_context():
        upsert_site("hidden", "Verborgen school", [host_site.origin], hide_when_closed=True)
        db.session.remove()
    clear_site_cache()
    (host_site.root / "hidden.html").write_text(
        f'<!doctype html><title>x</title><script src="{live.url}/widget.js" data-site="hidden" async></script>')
    shown = context.new_page()
    shown.goto(host_site.url)
    hidden = context.new_page()
    hidden.goto(f"{host_site.origin}/hidden.html")
    expect(widget(shown, "launcher")).not_to_contain_text("Gesloten")
    expect(widget(hidden, "launcher")).to_be_visible()

    wait = (closing_soon - datetime.now(ZoneInfo("Europe/Brussels"))).total_seconds() + 15
    # No reload: the widget asked for the status again at the closing time it was told.
    expect(widget(shown, "launcher")).to_contain_text("Gesloten", timeout=wait * 1000)
    expect(widget(hidden, "launcher")).to_be_hidden(timeout=15_000)
