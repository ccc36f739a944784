"""Browser fixtures: headless Chromium, a host page on a second origin, and a logged-in console.

The service runs on http://127.0.0.1:PORT (the `live` fixture). The school's page is served by a
second HTTP server at http://localhost:PAGEPORT: a different origin (host name and port), allowed by
the site "school" next to SITE_ORIGIN.
"""

import contextlib
import functools
import http.server
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from clbchat.cli import upsert_site
from clbchat.extensions import db
from clbchat.widget_api.cors import clear_site_cache

from ..clients import Visitor
from ..conftest import PASSWORD, SITE_ORIGIN

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# The school's own styles, as unfriendly as they come: the widget must look right anyway.
HOSTILE_CSS = "* { color: red !important; font-size: 40px !important } button { display: none !important }"

PAGE_TEMPLATE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Testschool</title>
<style>{css}</style>
</head>
<body>
<h1>Testschool</h1>
<p><a href="#" data-clbchat-open>Chat met het CLB</a></p>
{script}
</body>
</html>
"""

expect.set_options(timeout=10_000)


def origin_of(url: str) -> str:
    """scheme://host:port, with ws(s) counted as http(s) (a socket to the service is the service)."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


@pytest.fixture(scope="session")
def browser():
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_context(browser: Browser, live):
    """Make fresh browser contexts (one per party); all are closed before the server stops."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    """The visitor's browser."""
    return new_context()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class HostSite:
    root: Path
    origin: str  # http://localhost:PAGEPORT
    url: str = ""  # the page that embeds the widget from the service
    blank_url: str = ""  # the same page without the widget (a baseline)

    def page_embedding(self, service_url: str, name: str) -> str:
        """Another page on this origin that takes the widget from `service_url`; its URL."""
        script = f'<script src="{service_url}/widget.js" data-site="school" async></script>'
        (self.root / name).write_text(PAGE_TEMPLATE.format(css=HOSTILE_CSS, script=script), encoding="utf-8")
        return f"{self.origin}/{name}"


@pytest.fixture
def host_site(app, live, tmp_path) -> HostSite:
    """The school's page on a second origin, embedding {live.url}/widget.js with data-site="school"."""
    root = tmp_path / "host"
    root.mkdir()
    (root / "blank.html").write_text(PAGE_TEMPLATE.format(css=HOSTILE_CSS, script=""), encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://localhost:{server.server_port}"
    with app.app_context():
        upsert_site("school", "Testschool", [SITE_ORIGIN, origin])
        db.session.remove()
    clear_site_cache()
    site = HostSite(root=root, origin=origin, blank_url=f"{origin}/blank.html")
    site.url = site.page_embedding(live.url, "index.html")
    yield site
    server.shutdown()
    server.server_close()


def widget(page: Page, testid: str):
    """A data-testid inside the widget's shadow root (Playwright's locators pierce open shadow roots)."""
    return page.locator("#clbchat-root").get_by_test_id(testid)


def stored_chat(page: Page) -> dict | None:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('clbchat:school') || 'null')")


def start_chat(page: Page, nickname: str = "Mila", role_label: str | None = "Leerling") -> int:
    """Open the panel from the launcher, ask for a chat, wait for the queue; the conversation id."""
    widget(page, "launcher").click()
    widget(page, "nickname").fill(nickname)
    if role_label:
        widget(page, "visitor-role").select_option(label=role_label)
    widget(page, "start").click()
    expect(widget(page, "position")).to_contain_text("nummer")
    return stored_chat(page)["conversation_id"]


def console_login(context: BrowserContext, live, username: str = "sofie") -> Page:
    """Log in through the real form and wait until the console's socket is up."""
    page = context.new_page()
    page.goto(f"{live.url}/console/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_test_id("queue-count")).to_be_visible()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "online")
    return page


@pytest.fixture
def ws_visitor(live):
    """Visitors over plain HTTP + WebSocket (tests.clients), in the queue next to the browser."""
    made: list[Visitor] = []

    def make(nickname: str = "Noor", visitor_role: str | None = "pupil") -> Visitor:
        visitor = Visitor(live)
        made.append(visitor)
        visitor.start(nickname, visitor_role)
        return visitor

    yield make
    for visitor in made:
        if visitor.socket is not None:
            visitor.socket.close()


def wait_until(check, timeout: float = 5, what: str = "condition"):
    """Poll a server-side condition (the database) that no locator can wait for."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class TcpProxy:
    """A plain TCP forwarder in front of the live server, so a test can cut the visitor's network.

    `cut()` closes every open connection (the browser sees its WebSocket drop, the server sees the
    visitor go) and refuses new ones until `restore()`.
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.down = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket):
        for s in sockets:
            with self._lock:
                self._open.discard(s)
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def cut(self):
        self.down.set()
        with self._lock:
            sockets = list(self._open)
        self._drop(*sockets)

    def restore(self):
        self.down.clear()

    def close(self):
        self.listener.close()
        self.cut()


@pytest.fixture
def proxy(live):
    proxy = TcpProxy(live.port)
    yield proxy
    proxy.close()

