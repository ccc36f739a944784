"""The widget as a pupil meets it: on a school's page (another origin), in headless Chromium, against
the real server; the counsellor in a second browser context."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from clbchat.extensions import db
from clbchat.models import Conversation, Message

from .conftest import console_login, origin_of, start_chat, stored_chat, wait_until, widget

pytestmark = pytest.mark.browser


def _conversation(app, conversation_id: int) -> Conversation:
    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        db.session.expunge_all()
        db.session.remove()
        return conversation


def test_full_chat_from_the_schools_page_to_a_keyboard_rating(app, live, host_site, page, new_context,
                                                             ws_visitor):
    page.goto(host_site.url)
    mila = start_chat(page, "Mila", "Leerling")
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    noor = ws_visitor("Noor")  # second in line, over a plain WebSocket

    sofie = console_login(new_context(), live, "sofie")
    expect(sofie.get_by_test_id("queue-count")).to_have_text("2")
    rows = sofie.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-conversation-id", str(mila))
    expect(rows.nth(0)).to_contain_text("Mila")
    expect(rows.nth(0)).to_contain_text("Leerling")
    expect(rows.nth(1)).to_have_attribute("data-conversation-id", str(noor.conversation_id))

    sofie.get_by_test_id("take-next").click()
    pane = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{mila}"]')
    expect(pane).to_be_visible()
    expect(sofie.get_by_test_id("queue-count")).to_have_text("1")
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")
    expect(widget(page, "message-input")).to_be_focused()  # focus moves to the message field on pick-up

    pane.get_by_test_id("pane-input").fill("Hallo Mila, waarover wil je praten?")
    pane.get_by_test_id("pane-send").click()
    from_sofie = widget(page, "messages").locator('[data-sender="counsellor"]')
    expect(from_sofie).to_have_count(1)
    expect(from_sofie).to_contain_text("Hallo Mila, waarover wil je praten?")
    expect(from_sofie).to_contain_text("Sofie")

    widget(page, "message-input").fill("Over mijn studiekeuze")
    widget(page, "message-input").press("Enter")
    from_mila = pane.get_by_test_id("pane-messages").locator('[data-sender="visitor"]')
    expect(from_mila).to_have_count(1)
    expect(from_mila).to_contain_text("Over mijn studiekeuze")
    expect(from_mila).to_contain_text("Mila")
    # Both sides agree on the order: 1 from Sofie, 2 from Mila.
    expect(pane.get_by_test_id("pane-messages").locator("[data-seq]")).to_have_count(2)
    expect(widget(page, "messages").locator('[data-seq="2"][data-sender="visitor"]')).to_have_count(1)

    pane.get_by_test_id("pane-end").click()
    expect(pane.get_by_test_id("pane-ended")).to_be_visible()
    expect(widget(page, "ended")).to_contain_text("Sofie heeft het gesprek afgesloten")

    # The rating, by keyboard only: focus is on the first star; Enter picks it, arrows move and pick.
    stars = [widget(page, f"star-{n}") for n in range(1, 6)]
    expect(stars[0]).to_be_focused()
    page.keyboard.press("Enter")
    expect(stars[0]).to_have_attribute("aria-checked", "true")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(stars[3]).to_be_focused()
    for n, star in enumerate(stars, start=1):
        expect(star).to_have_attribute("aria-checked", "true" if n == 4 else "false")
    page.keyboard.press("Tab")
    expect(widget(page, "rating-comment")).to_be_focused()
    page.keyboard.type("Fijn dat iemand luisterde.")
    page.keyboard.press("Tab")
    expect(widget(page, "rating-submit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget(page, "thanks")).to_be_visible()
    expect(widget(page, "thanks").get_by_role("heading", name="Bedankt!")).to_be_focused()

    stored = _conversation(app, mila)
    assert (stored.rating_stars, stored.rating_comment) == (4, "Fijn dat iemand luisterde.")
    assert (stored.status, stored.outcome, stored.ended_by) == ("ended", "answered", "counsellor")
    assert stored_chat(page) is None  # a confirmed rating: nothing left in the tab


def test_position_goes_down_live_when_the_visitor_ahead_leaves(host_site, page, ws_visitor):
    ahead = ws_visitor("Eerste")
    page.goto(host_site.url)
    start_chat(page, "Mila")
    expect(widget(page, "position")).to_have_text("Je bent nummer 2 in de wachtrij")

    ahead.socket.send({"type": "leave", "reason": "left"})
    ahead.socket.expect("state", status="ended")

    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    expect(widget(page, "announce")).to_have_text("Je bent nummer 1 in de wachtrij")  # said out loud too


NICK = "<svg onload=__pwned=1>"  # the longest trap a 24-character nickname can hold
TRAP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


def test_text_from_people_stays_text_on_both_sides(live, host_site, page, new_context):
    page.goto(host_site.url)
    conversation_id = start_chat(page, NICK, None)

    sofie = console_login(new_context(), live)
    row = sofie.locator(f'[data-testid="queue-row"][data-conversation-id="{conversation_id}"]')
    expect(row).to_contain_text(NICK)
    sofie.get_by_test_id("take-next").click()
    pane = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')
    expect(pane.get_by_role("heading", level=2)).to_have_text(NICK)

    widget(page, "message-input").fill(TRAP)
    widget(page, "send").click()
    in_console = pane.get_by_test_id("pane-messages").locator('[data-sender="visitor"]')
    expect(in_console).to_have_count(1)
    expect(in_console).to_contain_text(TRAP)
    expect(in_console).to_contain_text(NICK)  # the author line

    pane.get_by_test_id("pane-input").fill(TRAP)
    pane.get_by_test_id("pane-send").click()
    in_widget = widget(page, "messages")
    expect(in_widget.locator('[data-sender="counsellor"][data-seq="2"]')).to_contain_text(TRAP)
    expect(in_widget.locator('[data-sender="visitor"][data-seq="1"]')).to_contain_text(TRAP)
    expect(pane.get_by_test_id("pane-messages").locator('[data-sender="counsellor"][data-seq="2"]')).to_contain_text(
        TRAP)

    # Nothing was parsed as markup, so nothing could run.
    for where in (in_widget, pane, sofie.get_by_test_id("queue-list"), sofie.get_by_test_id("live-region")):
        expect(where.locator("img, script, svg")).to_have_count(0)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert sofie.evaluate("typeof window.__pwned") == "undefined"


def test_the_widget_leaves_no_trace_on_the_host_page_until_a_chat_starts(app, live, host_site, context, page):
    baseline = context.new_page()
    baseline.goto(host_site.blank_url)
    globals_without_widget = set(baseline.evaluate("Object.keys(window)"))
    baseline.close()

    requests, sockets = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(host_site.url)
    launcher = widget(page, "launcher")
    expect(launcher).to_be_visible()  # despite `button { display: none !important }` on the page
    expect(launcher).to_have_text("Chat met het CLB")
    assert launcher.evaluate("e => getComputedStyle(e).fontSize") == "16px"  # not the page's 40px
    assert launcher.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"  # not the page's red

    assert set(page.evaluate("Object.keys(window)")) - globals_without_widget == {"CLBChat"}

    def storage():
        return page.evaluate("() => [Object.keys(localStorage), Object.keys(sessionStorage)]")

    # Loaded, and opened up to the start form: still nothing stored anywhere, no socket.
    assert context.cookies() == [] and storage() == [[], []]
    launcher.click()
    expect(widget(page, "nickname")).to_be_focused()
    assert context.cookies() == [] and storage() == [[], []]
    assert sockets == []

    conversation_id = start_chat_from_open_form(page, "Mila")
    assert storage() == [[], ["clbchat:school"]]
    assert context.cookies() == []
    assert {origin_of(url) for url in requests + sockets} == {host_site.origin, live.url}
    assert [origin_of(url) for url in sockets] == [live.url]

    widget(page, "quick-exit").click()
    expect(page.locator("#clbchat-root [role=dialog]")).to_have_count(0)  # off the screen, not just hidden
    expect(launcher).to_have_text("Chat met het CLB")  # not "Terug naar je chat"
    assert storage() == [[], []]
    # The server heard it too: the pupil left the queue.
    wait_until(lambda: _conversation(app, conversation_id).status == "ended", what="the chat to end")
    assert _conversation(app, conversation_id).outcome == "left_waiting"


def start_chat_from_open_form(page, nickname: str) -> int:
    widget(page, "nickname").fill(nickname)
    widget(page, "start").click()
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    return stored_chat(page)["conversation_id"]


def test_a_link_on_the_schools_page_opens_the_panel(host_site, page):
    page.goto(host_site.url)
    expect(widget(page, "launcher")).to_be_visible()
    dialog = page.locator("#clbchat-root [role=dialog]")

    page.get_by_role("link", name="Chat met het CLB").click()
    expect(dialog).to_be_visible()
    expect(widget(page, "nickname")).to_be_focused()
    assert not page.url.endswith("#")  # the link's default action was prevented

    page.keyboard.press("Escape")  # minimise: focus goes back to the launcher
    expect(dialog).to_be_hidden()
    expect(widget(page, "launcher")).to_be_focused()
    page.get_by_role("link", name="Chat met het CLB").click()
    expect(dialog).to_be_visible()


@pytest.fixture
def patient_config(app_config):
    """A visitor who is away for a while must not be ended by the grace sweep during this test."""
    app_config["VISITOR_GRACE_SECONDS"] = 60
    return app_config


def test_a_dropped_connection_loses_and_doubles_nothing(patient_config, app, live, host_site, proxy, context,
                                                        page, new_context):
    # The widget talks to the service through a TCP proxy, so the test can cut the network under it.
    page.goto(host_site.page_embedding(proxy.url, "proxied.html"))
    conversation_id = start_chat(page, "Mila")
    sofie = console_login(new_context(), live)
    sofie.get_by_test_id("take-next").click()
    pane = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")
    pane.get_by_test_id("pane-input").fill("Ben je er nog?")
    pane.get_by_test_id("pane-send").click()
    expect(widget(page, "messages").locator('[data-seq="1"]')).to_have_count(1)

    proxy.cut()
    context.set_offline(True)
    expect(widget(page, "connection")).to_be_visible()
    expect(widget(page, "connection")).to_have_text("Verbinding herstellen…")
    expect(pane.get_by_test_id("pane-presence")).to_be_visible()  # the console sees Mila is gone for now

    pane.get_by_test_id("pane-input").fill("Terwijl je weg was")
    pane.get_by_test_id("pane-send").click()
    expect(pane.get_by_test_id("pane-messages").locator('[data-seq="2"]')).to_have_count(1)
    widget(page, "message-input").fill("Geschreven zonder internet")
    widget(page, "message-input").press("Enter")
    pending = widget(page, "messages").locator('[data-sender="visitor"]')
    expect(pending).to_contain_text("wordt verstuurd…")

    proxy.restore()
    context.set_offline(False)
    expect(widget(page, "connection")).to_be_hidden()
    expect(pane.get_by_test_id("pane-presence")).to_have_count(0)

    expect(widget(page, "messages").locator('[data-seq="2"]')).to_have_count(1)
    expect(widget(page, "messages").locator('[data-seq="2"]')).to_contain_text("Terwijl je weg was")
    expect(widget(page, "messages").locator('[data-seq="3"][data-sender="visitor"]')).to_have_count(1)
    expect(pending).to_have_count(1)
    expect(pending).not_to_contain_text("wordt verstuurd…")
    from_mila = pane.get_by_test_id("pane-messages").locator('[data-sender="visitor"]')
    expect(from_mila).to_have_count(1)
    expect(from_mila).to_contain_text("Geschreven zonder internet")
    expect(widget(page, "messages").locator("[data-seq]")).to_have_count(3)
    expect(pane.get_by_test_id("pane-messages").locator("[data-seq]")).to_have_count(3)
    with app.app_context():
        stored = db.session.execute(select(Message.seq, Message.sender, Message.body)
                                    .where(Message.conversation_id == conversation_id).order_by(Message.seq)).all()
        db.session.remove()
    assert [tuple(row) for row in stored] == [(1, "counsellor", "Ben je er nog?"),
                                              (2, "counsellor", "Terwijl je weg was"),
                                              (3, "visitor", "Geschreven zonder internet")]


def test_usable_by_keyboard_alone_on_a_320_pixel_screen(host_site, new_context):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(host_site.url)
    launcher = widget(page, "launcher")
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320

    page.keyboard.press("Tab")  # the school's own link
    page.keyboard.press("Tab")
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.locator("#clbchat-root [role=dialog]")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["width"] <= 320 and box["x"] + box["width"] <= 320
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640

    expect(widget(page, "nickname")).to_be_focused()
    page.keyboard.type("Mila")
    page.keyboard.press("Tab")
    expect(widget(page, "visitor-role")).to_be_focused()
    page.keyboard.press("ArrowDown")  # "Leerling"
    expect(widget(page, "visitor-role")).to_have_value("pupil")
    page.keyboard.press("Tab")
    expect(widget(page, "start")).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    start = widget(page, "leave-queue").bounding_box()
    assert start["x"] >= 0 and start["x"] + start["width"] <= 320


def test_the_chat_follows_the_pupil_to_another_page_of_the_school(live, host_site, page, new_context):
    page.goto(host_site.url)
    conversation_id = start_chat(page, "Mila")
    sofie = console_login(new_context(), live)
    sofie.get_by_test_id("take-next").click()
    pane = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')
    pane.get_by_test_id("pane-input").fill("Hallo Mila")
    pane.get_by_test_id("pane-send").click()
    widget(page, "message-input").fill("Hoi Sofie")
    widget(page, "message-input").press("Enter")
    expect(pane.get_by_test_id("pane-messages").locator('[data-seq="2"]')).to_contain_text("Hoi Sofie")

    page.goto(host_site.page_embedding(live.url, "leerlingenbegeleiding.html"))  # same tab, same origin
    expect(page.locator("#clbchat-root [role=dialog]")).to_be_visible()  # reopened by itself
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")
    messages = widget(page, "messages")
    expect(messages.locator("[data-seq]")).to_have_count(2)  # the transcript, replayed once
    expect(messages.locator('[data-seq="1"][data-sender="counsellor"]')).to_contain_text("Hallo Mila")
    expect(messages.locator('[data-seq="2"][data-sender="visitor"]')).to_contain_text("Hoi Sofie")

    widget(page, "message-input").fill("Ik ben op een andere pagina")
    widget(page, "message-input").press("Enter")
    from_mila = pane.get_by_test_id("pane-messages").locator('[data-sender="visitor"]')
    expect(from_mila).to_have_count(2)
    expect(from_mila.nth(1)).to_contain_text("Ik ben op een andere pagina")
    expect(pane.get_by_test_id("pane-presence")).to_have_count(0)


def test_quick_exit_in_the_middle_of_a_chat_ends_it_for_the_counsellor(app, live, host_site, page, new_context):
    page.goto(host_site.url)
    conversation_id = start_chat(page, "Mila")
    sofie = console_login(new_context(), live)
    sofie.get_by_test_id("take-next").click()
    pane = sofie.locator(f'[data-testid="chat-pane"][data-conversation-id="{conversation_id}"]')
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")

    widget(page, "quick-exit").click()
    expect(page.locator("#clbchat-root [role=dialog]")).to_have_count(0)
    expect(pane.get_by_test_id("pane-ended")).to_contain_text("Snel weg")  # not a normal goodbye
    stored = _conversation(app, conversation_id)
    assert (stored.status, stored.ended_by, stored.outcome) == ("ended", "quick_exit", "abandoned")

    page.reload()  # nothing to resume: the plain launcher, not "Terug naar je chat"
    expect(widget(page, "launcher")).to_have_text("Chat met het CLB")
    assert stored_chat(page) is None


def test_a_minimised_chat_flags_a_new_message_on_the_launcher(live, host_site, page, new_context):
    page.goto(host_site.url)
    start_chat(page, "Mila")
    sofie = console_login(new_context(), live)
    sofie.get_by_test_id("take-next").click()
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")

    widget(page, "minimise").click()
    launcher = widget(page, "launcher")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_text("Terug naar je chat")
    expect(launcher).not_to_have_attribute("aria-label", "Terug naar je chat, nieuw bericht")

    pane = sofie.get_by_test_id("chat-pane")
    pane.get_by_test_id("pane-input").fill("Ben je er nog?")
    pane.get_by_test_id("pane-send").click()
    expect(launcher).to_have_attribute("aria-label", "Terug naar je chat, nieuw bericht")

    launcher.click()
    expect(widget(page, "message-input")).to_be_focused()
    expect(widget(page, "messages").locator('[data-seq="1"]')).to_contain_text("Ben je er nog?")


def test_the_hosted_page_opens_full_page_and_passes_the_partner_ref(app, live, page):
    page.goto(f"{live.url}/chat/school?ref=onderwijskiezer")
    dialog = page.locator("#clbchat-root [role=dialog]")
    expect(widget(page, "nickname")).to_be_focused()  # opened by itself
    assert dialog.bounding_box()["width"] == page.viewport_size["width"]
    widget(page, "nickname").fill("Mila")
    widget(page, "start").click()
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    assert _conversation(app, stored_chat(page)["conversation_id"]).ref == "onderwijskiezer"
    page.keyboard.press("Escape")  # nothing to go back to on the full page: it stays
    expect(dialog).to_be_visible()
    expect(widget(page, "minimise")).to_have_count(0)


# ---- issue 7: small screens, emergencies, words, accessibility; issue 8: bytes on the wire ----

FOOTER_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Testschool</title>
<style>body { margin: 0; padding: 16px; font: 16px/1.5 sans-serif }
footer { position: fixed; left: 0; right: 0; bottom: 0; padding: 20px 0; text-align: center; background: #eee }</style>
</head><body>
<h1>Testschool</h1>
<p>Welkom op de website van de Testschool.</p>
<footer>© Testschool 2026</footer>
<script src="{service}/widget.js" data-site="school" async></script>
</body></html>
"""

# Every rectangle of page text (not the widget's): what the launcher must not cover.
PAGE_TEXT_RECTS = """() => {
  const rects = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const n = walk.currentNode;
    if (!n.textContent.trim() || n.parentElement.closest("script, style")) continue;
    const r = document.createRange();
    r.selectNodeContents(n);
    for (const b of r.getClientRects())
      rects.push({text: n.textContent.trim(), x: b.x, y: b.y, w: b.width, h: b.height});
  }
  return rects;
}"""


def test_at_320_pixels_the_closed_launcher_is_a_small_icon_that_covers_no_text(live, host_site, new_context):
    (host_site.root / "footer.html").write_text(FOOTER_PAGE.replace("{service}", live.url), encoding="utf-8")
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(f"{host_site.origin}/footer.html")
    launcher = widget(page, "launcher")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_accessible_name("Chat met het CLB")  # the words are still there for a reader
    box = launcher.bounding_box()
    assert box["width"] <= 56 and box["height"] <= 56, box
    assert box["x"] + box["width"] <= 320 and box["y"] + box["height"] <= 640
    texts = page.evaluate(PAGE_TEXT_RECTS)
    assert any(t["text"] == "© Testschool 2026" for t in texts)
    covered = [t["text"] for t in texts if t["x"] < box["x"] + box["width"] and box["x"] < t["x"] + t["w"]
               and t["y"] < box["y"] + box["height"] and box["y"] < t["y"] + t["h"]]
    assert covered == []
    launcher.click()
    expect(widget(page, "nickname")).to_be_focused()


WIDGET_ROLE_WORDS = {"pupil": "Leerling", "parent": "Ouder", "other": "Iemand anders"}


def _widget_role_words(page) -> dict:
    return widget(page, "visitor-role").evaluate(
        "s => Object.fromEntries([...s.options].filter(o => o.value).map(o => [o.value, o.textContent]))")


def test_the_start_form_mentions_112_and_names_who_is_asking(host_site, page):
    page.goto(host_site.url)
    widget(page, "launcher").click()
    emergency = widget(page, "emergency")
    expect(emergency).to_be_visible()
    expect(emergency).to_contain_text("112")
    expect(emergency.locator('a[href="tel:112"]')).to_have_text("112")
    assert _widget_role_words(page) == WIDGET_ROLE_WORDS


def test_the_console_uses_the_widgets_words_for_who_is_asking(live, host_site, page):
    import re

    page.goto(host_site.url)
    widget(page, "launcher").click()
    console_js = page.request.get(f"{live.url}/static/console/format.js").text()
    labels = re.search(r"ROLE_LABELS\s*=\s*\{([^}]*)\}", console_js).group(1)
    assert dict(re.findall(r'(\w+):\s*"([^"]*)"', labels)) == _widget_role_words(page)


def _serious(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [["#clbchat-root"]]})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violation_in_any_view_and_no_ongoing_chat_title_after_the_end(
        app, live, host_site, page):
    from ..clients import Counsellor

    page.goto(host_site.url)
    found = {}
    expect(widget(page, "launcher")).to_be_visible()
    found["launcher"] = _serious(page)
    widget(page, "launcher").click()
    expect(widget(page, "nickname")).to_be_focused()
    found["start form"] = _serious(page)
    widget(page, "nickname").fill("Mila")
    widget(page, "start").click()
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")
    found["queue"] = _serious(page)

    sofie = Counsellor(live)
    sofie.connect()
    chat = sofie.take()
    sofie.say(chat["id"], "Hallo Mila", "c-1")
    widget(page, "message-input").fill("Hoi")
    widget(page, "send").click()
    sofie.socket.expect("message", sender="visitor")
    title = page.locator("#clbchat-root [role=dialog] .hd .t")
    expect(title).to_contain_text("Je praat met Sofie")
    found["chat"] = _serious(page)

    sofie.socket.send({"type": "end", "conversation_id": chat["id"]})
    expect(widget(page, "ended")).to_contain_text("Sofie heeft het gesprek afgesloten")
    expect(title).not_to_contain_text("Je praat met")  # nobody is there any more
    expect(title).to_contain_text("Gesprek met Sofie afgelopen")
    found["rating"] = _serious(page)
    widget(page, "star-4").click()
    widget(page, "rating-submit").click()
    expect(widget(page, "thanks")).to_be_visible()
    found["thanks"] = _serious(page)
    sofie.socket.close()
    assert found == {view: [] for view in found}


@pytest.fixture
def closed_config(app_config):
    app_config["CHAT_HOURS"] = "24/7 off"
    return app_config


def test_no_serious_accessibility_violation_outside_opening_hours(closed_config, live, host_site, page):
    page.goto(host_site.url)
    expect(widget(page, "launcher")).to_contain_text("Gesloten")
    on_button = _serious(page)
    widget(page, "launcher").click()
    expect(widget(page, "closed")).to_be_visible()
    assert (on_button, _serious(page)) == ([], [])


def _wire_bytes(page):
    """Bytes the browser received from the service for each request (CDP, headers included),
    and the URLs it took from its cache instead."""
    cdp = page.context.new_cdp_session(page)
    urls, received, cached = {}, {}, set()
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.responseReceived",
           lambda e: e["response"].get("fromDiskCache") and cached.add(e["requestId"]))
    cdp.on("Network.loadingFinished", lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.send("Network.enable")

    def snapshot(service: str) -> tuple[dict, set]:
        mine = {rid: url for rid, url in urls.items() if url.startswith(service)}
        return ({url: received.get(rid, 0) for rid, url in mine.items() if rid not in cached},
                {url for rid, url in mine.items() if rid in cached})

    return snapshot


def test_the_widget_stays_within_its_byte_budgets_over_the_wire_and_a_returning_visitor_downloads_no_code(
        live, host_site, context, page):
    snapshot = _wire_bytes(page)
    page.goto(host_site.url)
    expect(widget(page, "launcher")).to_be_visible()
    page.wait_for_load_state("networkidle")
    closed, _ = snapshot(live.url)
    widget(page, "launcher").click()
    expect(widget(page, "nickname")).to_be_focused()
    page.wait_for_load_state("networkidle")
    opened, _ = snapshot(live.url)
    print(f"\nwire bytes before a click: {closed}\nwith the panel open: {opened}")
    print(f"total before a click: {sum(closed.values())} B, panel open: {sum(opened.values())} B")
    assert any(url.endswith("/widget.js") for url in closed)
    assert any("/widget/v/" in url and url.endswith("/panel.js") for url in opened)
    assert sum(closed.values()) <= 10_000
    assert sum(opened.values()) <= 30_000

    # Back on another page of the school: the code comes from the browser's cache (immutable URLs).
    again = context.new_page()
    snapshot = _wire_bytes(again)
    again.goto(host_site.url)
    widget(again, "launcher").click()
    expect(widget(again, "nickname")).to_be_focused()
    again.wait_for_load_state("networkidle")
    downloaded, from_cache = snapshot(live.url)
    print(f"returning visitor downloaded: {downloaded}, from cache: {sorted(from_cache)}")
    code = [url for url in downloaded if "/widget" in url]
    assert code == []
    assert {url.rsplit("/", 1)[1] for url in from_cache if "/widget/v/" in url} == {
        "panel.js", "panel-styles.js", "conversation.js", "views.js", "messages.js"}
