"""The widget on school pages that fight it: global !important CSS, a full-screen overlay at the
highest z-index, a transformed body, a Content Security Policy without 'unsafe-inline'. On each the
whole chat works (open, nickname, queue, the counsellor answers, messages both ways, end, rating),
the launcher and the panel stay on top and in view, and they look as designed."""

import pytest
from playwright.sync_api import expect

from clbchat.extensions import db
from clbchat.models import Conversation

from ..clients import Counsellor
from .conftest import widget

pytestmark = pytest.mark.browser

TEAL = "rgb(0, 95, 115)"  # the launcher's and header's colour: styled, not the page's or the browser's

PAGE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<title>Testschool</title>
</head>
<body>
<h1>Testschool</h1>
<p>Welkom op de website van de Testschool.</p>
{body}
<script src="{service}/widget.js" data-site="school" async></script>
</body>
</html>
"""

# Every element on the page, the widget's host element included, told what to look like.
IMPORTANT_CSS = """<style>
* { color: red !important; background: yellow !important; font: italic 40px/3 serif !important;
    display: block !important; position: static !important; opacity: .3 !important;
    width: 100px !important; height: 30px !important; overflow: hidden !important;
    margin: 20px !important; padding: 9px !important; border: 5px dashed red !important;
    visibility: visible !important; transform: rotate(3deg) !important; filter: blur(1px) !important }
button, textarea, input, select, [role=dialog], [popover] { display: none !important }
html, head, style, script, title, meta { display: none !important }
html { display: block !important }
</style>"""

# A cookie wall or a "new website" splash that sits above everything and takes every click.
OVERLAY_BODY = ('<div id="overlay" style="position:fixed;inset:0;z-index:2147483647;'
                'background:rgba(255,255,255,.6)">Nieuwe website!</div>')

# A transformed body is the containing block of fixed elements: right/bottom of a 400vh body is
# far below the screen.
TRANSFORM_CSS = "<style>body { transform: translateZ(0); min-height: 400vh; margin: 0 }</style>"


def strict_csp(live, styles: str | None = None) -> str:
    """Styles only from the service (no 'unsafe-inline'), scripts only from it, sockets to it, and
    Trusted Types enforced (no HTML from strings)."""
    ws = live.url.replace("http://", "ws://")
    policy = (f"default-src 'none'; script-src {live.url}; style-src {styles or live.url}; "
              f"connect-src {live.url} {ws}; img-src 'self'; require-trusted-types-for 'script'")
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


HOSTILE = {
    "important-css": lambda live: (IMPORTANT_CSS, ""),
    "max-z-index-overlay": lambda live: ("", OVERLAY_BODY),
    "transformed-body": lambda live: (TRANSFORM_CSS, ""),
    "strict-csp": lambda live: (strict_csp(live), ""),
    "no-styles-csp": lambda live: (strict_csp(live, styles="'none'"), ""),  # docs/widget.md: no style-src needed
}


def _in_view(page, locator) -> dict:
    box = locator.bounding_box()
    view = page.viewport_size
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= view["width"] and box["y"] + box["height"] <= view["height"], (box, view)
    return box


def _on_top(page, locator) -> None:
    """The element the browser hits at the centre of `locator` is the widget's, not the page's."""
    box = locator.bounding_box()
    hit = page.evaluate(
        """([x, y]) => {
            let e = document.elementFromPoint(x, y), inner;
            while (e && e.shadowRoot && (inner = e.shadowRoot.elementFromPoint(x, y)) && inner !== e) e = inner;
            return e && e.getRootNode() !== document ? "widget" : (e ? e.id || e.tagName : null);
        }""", [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert hit == "widget", hit


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_whole_chat_works_on_a_hostile_page(kind, app, live, host_site, page):
    head, body = HOSTILE[kind](live)
    (host_site.root / f"{kind}.html").write_text(PAGE.format(head=head, body=body, service=live.url), encoding="utf-8")
    problems = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{host_site.origin}/{kind}.html")

    launcher = widget(page, "launcher")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_accessible_name("Chat met het CLB")
    _in_view(page, launcher)
    _on_top(page, launcher)
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == TEAL
    assert launcher.evaluate("e => getComputedStyle(e).fontSize") == "16px"
    launcher.click()  # a real click: Playwright refuses it if anything of the page is in the way

    dialog = page.locator("#clbchat-root [role=dialog]")
    expect(dialog).to_be_visible()
    box = _in_view(page, dialog)
    assert box["width"] == 380  # the panel's own layout, not the page's
    _on_top(page, widget(page, "nickname"))
    assert dialog.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    assert dialog.evaluate("e => getComputedStyle(e.querySelector('.hd')).backgroundColor") == TEAL

    widget(page, "nickname").fill("Mila")
    widget(page, "visitor-role").select_option("pupil")
    widget(page, "start").click()
    expect(widget(page, "position")).to_have_text("Je bent nummer 1 in de wachtrij")

    sofie = Counsellor(live)
    sofie.connect()
    chat = sofie.take()
    expect(widget(page, "counsellor-name")).to_have_text("Sofie")
    sofie.say(chat["id"], "Hallo Mila, waarover wil je praten?", "c-1")
    expect(widget(page, "messages").locator('[data-sender="counsellor"]')).to_contain_text("waarover wil je praten")

    widget(page, "message-input").fill("Over mijn studiekeuze")
    widget(page, "send").click()
    assert sofie.socket.expect("message", sender="visitor")["text"] == "Over mijn studiekeuze"
    expect(widget(page, "messages").locator('[data-seq="2"][data-sender="visitor"]')).to_have_count(1)

    widget(page, "end-chat").click()
    sofie.socket.expect("ended", conversation_id=chat["id"])
    expect(widget(page, "ended")).to_contain_text("Je hebt het gesprek beëindigd")
    widget(page, "star-5").click()
    widget(page, "rating-submit").click()
    expect(widget(page, "thanks")).to_be_visible()
    _in_view(page, widget(page, "thanks"))
    with app.app_context():
        stored = db.session.get(Conversation, chat["id"])
        assert (stored.status, stored.rating_stars) == ("ended", 5)
        db.session.remove()
    sofie.socket.close()

    widget(page, "thanks").get_by_role("button", name="Sluiten").click()
    expect(launcher).to_be_visible()
    _in_view(page, launcher)
    _on_top(page, launcher)
    # Nothing the widget did was refused by the page's policy (styles, scripts, connections, HTML).
    refused = ("Content Security Policy", "Trusted", "Refused", "blocked", "CLBch@t")
    assert not [p for p in problems if any(word in p for word in refused)], problems
