"""Test clients that talk to a live server like the widget and the console do: HTTP and WebSocket."""

import json
import re
import time

import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from .conftest import PASSWORD, SITE_ORIGIN


class Socket:
    """A JSON WebSocket that keeps every frame it received, so tests can wait for one kind."""

    def __init__(self, url: str, headers: dict):
        self.ws = connect(url, additional_headers=headers, open_timeout=5, legacy=True)
        self.frames: list[dict] = []
        self._unread: list[dict] = []

    def send(self, frame) -> None:
        self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    def expect(self, kind: str, timeout: float = 5, **match) -> dict:
        """The next frame of this kind (and these field values); frames of other kinds are kept."""
        deadline = time.monotonic() + timeout
        for i, frame in enumerate(self._unread):
            if _matches(frame, kind, match):
                return self._unread.pop(i)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind} {match} within {timeout}s; got {self._unread[-10:]}")
            try:
                raw = self.ws.recv(timeout=remaining)
            except TimeoutError:
                continue
            frame = json.loads(raw)
            self.frames.append(frame)
            if _matches(frame, kind, match):
                return frame
            self._unread.append(frame)

    def drain(self, seconds: float = 0.3) -> list[dict]:
        """Everything that arrives within `seconds` (to check that nothing else came)."""
        end = time.monotonic() + seconds
        while (remaining := end - time.monotonic()) > 0:
            try:
                frame = json.loads(self.ws.recv(timeout=remaining))
            except TimeoutError:
                break
            self.frames.append(frame)
            self._unread.append(frame)
        unread, self._unread = self._unread, []
        return unread

    def is_open(self) -> bool:
        try:
            self.ws.ping().wait(2)
            return True
        except (ConnectionClosed, TimeoutError):
            return False

    def close(self) -> None:
        self.ws.close()


def _matches(frame: dict, kind: str, match: dict) -> bool:
    return frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items())


class Visitor:
    def __init__(self, live, site: str = "school", origin: str = SITE_ORIGIN):
        self.live = live
        self.site = site
        self.origin = origin
        self.token: str | None = None
        self.conversation_id: int | None = None
        self.socket: Socket | None = None

    def request(self, nickname: str = "Mila", visitor_role: str | None = "pupil", **extra) -> requests.Response:
        body = {"nickname": nickname, "visitor_role": visitor_role, **extra}
        response = requests.post(f"{self.live.url}/api/sites/{self.site}/conversations", json=body,
                                 headers={"Origin": self.origin}, timeout=5)
        if response.status_code == 201:
            self.token = response.json()["token"]
            self.conversation_id = response.json()["conversation_id"]
        return response

    def connect(self, after_seq: int = 0) -> dict:
        """Open the socket, say hello, and return the first state frame."""
        self.socket = Socket(f"{self.live.ws_url}/ws/visitor", {"Origin": self.origin})
        self.socket.send({"type": "hello", "token": self.token, "after_seq": after_seq})
        return self.socket.expect("state")

    def start(self, nickname: str = "Mila", visitor_role: str | None = "pupil") -> dict:
        response = self.request(nickname, visitor_role)
        assert response.status_code == 201, response.text
        return self.connect()

    def say(self, text: str, client_id: str) -> dict:
        self.socket.send({"type": "message", "client_id": client_id, "text": text})
        return self.socket.expect("ack", client_id=client_id)


class Counsellor:
    def __init__(self, live, username: str = "sofie", password: str = PASSWORD):
        self.live = live
        self.http = requests.Session()
        page = self.http.get(f"{live.url}/console/login", timeout=5).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page)
        response = self.http.post(f"{live.url}/console/login", allow_redirects=False, timeout=5,
                                  data={"username": username, "password": password, "csrf_token": token.group(1)})
        assert response.status_code == 302, f"login failed: {response.status_code}"
        self.socket: Socket | None = None

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    def connect(self) -> dict:
        self.socket = Socket(f"{self.live.ws_url}/ws/console", {"Origin": self.live.url, "Cookie": self.cookie_header})
        return self.socket.expect("hello")

    def take(self, conversation_id: int | None = None) -> dict:
        self.socket.send({"type": "take", "conversation_id": conversation_id})
        return self.socket.expect("chat")["chat"]

    def say(self, conversation_id: int, text: str, client_id: str) -> dict:
        self.socket.send({"type": "message", "conversation_id": conversation_id, "client_id": client_id,
                          "text": text})
        return self.socket.expect("ack", client_id=client_id)


def open_chat(visitor_server, counsellor_server=None, username: str = "sofie") -> tuple[Visitor, Counsellor, int]:
    """A visitor in an active chat with a counsellor (each may be on another host): (visitor,
    counsellor, conversation id)."""
    visitor = Visitor(visitor_server)
    visitor.start()
    counsellor = Counsellor(counsellor_server or visitor_server, username)
    counsellor.connect()
    conversation = counsellor.take()
    visitor.socket.expect("state", status="active")
    return visitor, counsellor, conversation["id"]
