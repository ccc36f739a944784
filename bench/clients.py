"""Asyncio clients that talk to the service like the widget and the console do, plus percentiles.

- `HTTP`: a minimal keep-alive HTTP/1.1 client on asyncio streams (thousands of POSTs without a
  thread or a new TCP connection each); `HTTPPool` shares a few of them.
- `Visitor`: POST /api/sites/bench/conversations, then /ws/visitor with `hello`; a reader task
  records queue positions and answers the round-trip futures.
- `Counsellor`: log in at /console/login (CSRF field + session cookie), then /ws/console; it can
  take, reply automatically to visitor messages, and end chats.

WebSockets offer permessage-deflate like browsers do (BENCH_WS_COMPRESSION=none to switch it off);
clients send no pings of their own (browsers do not), the server's pings are answered.
"""

import asyncio
import itertools
import json
import os
import re
import statistics
import time
from urllib.parse import urlsplit

from websockets.asyncio.client import connect

from .service import PASSWORD, SITE, SITE_ORIGIN

COMPRESSION = None if os.environ.get("BENCH_WS_COMPRESSION", "deflate") == "none" else "deflate"
_ids = itertools.count(1)


def pct(values, scale: float = 1000.0) -> dict:
    """p50/p90/p99/max/mean of seconds, in milliseconds (scale=1 to keep the unit)."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q):
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * scale, 2)

    return {"n": len(ordered), "p50": at(0.50), "p90": at(0.90), "p99": at(0.99),
            "max": round(ordered[-1] * scale, 2), "mean": round(statistics.fmean(ordered) * scale, 2)}


def above_p99(n: int) -> int:
    """How many of n samples are slower than the p99 `pct` gives: 4 of 500, 49 of 5,000, 20 of 2,100."""
    return max(0, n - 1 - int(0.99 * n)) if n else 0


async def bounded(coroutines, limit: int) -> list:
    """Run coroutines with at most `limit` at once; results in order (exceptions returned, not raised)."""
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines), return_exceptions=True)


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class HTTP:
    """One keep-alive connection; requests on it are serialized by a lock."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self._reader = self._writer = None
        self._lock = asyncio.Lock()

    async def request(self, method: str, path: str, headers: dict | None = None, body: bytes = b"",
                      json_body=None, timeout: float = 30) -> Response:
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        async with self._lock:
            for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: reconnect once
                try:
                    return await asyncio.wait_for(self._exchange(method, path, headers or {}, body), timeout)
                except (ConnectionError, asyncio.IncompleteReadError):
                    self._drop()
                    if attempt == 2:
                        raise
                except BaseException:
                    self._drop()
                    raise

    async def _exchange(self, method, path, headers, body) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status_line = await self._reader.readuntil(b"\r\n")
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        response_headers: dict[str, str] = {}
        while (line := await self._reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
            response_headers[name] = value
        if response_headers.get("transfer-encoding") == "chunked":
            data = b""
            while size := int((await self._reader.readuntil(b"\r\n")).strip(), 16):
                data += (await self._reader.readexactly(size + 2))[:-2]
            await self._reader.readuntil(b"\r\n")
        else:
            data = await self._reader.readexactly(int(response_headers.get("content-length", 0)))
        if response_headers.get("connection", "").lower() == "close":
            self._drop()
        return Response(status, response_headers, data)

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    def close(self) -> None:
        self._drop()


class HTTPPool:
    def __init__(self, base_url: str, size: int = 8):
        self.clients = [HTTP(base_url) for _ in range(size)]
        self._free = asyncio.Queue()
        for client in self.clients:
            self._free.put_nowait(client)

    async def request(self, *args, **kwargs) -> Response:
        client = await self._free.get()
        try:
            return await client.request(*args, **kwargs)
        finally:
            self._free.put_nowait(client)

    def close(self) -> None:
        for client in self.clients:
            client.close()


async def open_ws(url: str, origin: str, headers: dict | None = None, compression: str | None = COMPRESSION):
    return await connect(url, origin=origin, additional_headers=headers, compression=compression,
                         ping_interval=None, proxy=None, max_queue=None, open_timeout=60, close_timeout=2,
                         user_agent_header=None)


class QueueWatch:
    """Counts visitors who got the queue position they were told to expect, and when the last one did."""

    def __init__(self, expected: int):
        self.expected = expected
        self.last = 0.0
        self.done = asyncio.Event()
        if expected == 0:
            self.done.set()

    def hit(self, at: float) -> None:
        self.expected -= 1
        self.last = max(self.last, at)
        if self.expected <= 0:
            self.done.set()


class Visitor:
    watch: QueueWatch | None = None  # set by the queue benchmark, shared by every visitor

    def __init__(self, service_url: str, ws_url: str, compression: str | None = COMPRESSION):
        self.service_url, self.ws_url, self.compression = service_url, ws_url, compression
        self.token = self.conversation_id = self.ws = self.reader = None
        self.status = None
        self.position = None
        self.expect_position = None
        self.errors: list[dict] = []
        self.pending: dict[str, asyncio.Future] = {}
        self.state_changed = asyncio.Event()
        self.queue_frames = 0
        self.on_counsellor_message = None  # optional callback(frame), e.g. the surge drill's replies

    async def request(self, http, nickname: str | None = None) -> Response:
        nickname = nickname or f"Bez{next(_ids)}"
        response = await http.request("POST", f"/api/sites/{SITE}/conversations", {"Origin": SITE_ORIGIN},
                                      json_body={"nickname": nickname, "visitor_role": "pupil"})
        if response.status == 201:
            body = response.json()
            self.token, self.conversation_id = body["token"], body["conversation_id"]
        return response

    async def connect(self, timeout: float = 60) -> dict:
        self.ws = await open_ws(self.ws_url + "/ws/visitor", SITE_ORIGIN, compression=self.compression)
        await self.ws.send(json.dumps({"type": "hello", "token": self.token, "after_seq": 0}))
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if frame["type"] == "state":
                self.status, self.position = frame["status"], frame["position"]
                break
        self.reader = asyncio.create_task(self._read())
        return frame

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                at = time.perf_counter()
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "queue":
                    self.position = frame["position"]
                    self.queue_frames += 1
                    if self.watch is not None and frame["position"] == self.expect_position:
                        self.expect_position = None
                        self.watch.hit(at)
                elif kind == "message" and frame["sender"] == "counsellor":
                    future = self.pending.pop(frame["client_id"].removeprefix("r-"), None)
                    if future is not None and not future.done():
                        future.set_result(at)
                    if self.on_counsellor_message is not None:
                        self.on_counsellor_message(frame)
                elif kind == "state":
                    self.status, self.position = frame["status"], frame["position"]
                    self.state_changed.set()
                elif kind == "error":
                    self.errors.append(frame)
        except Exception:  # the connection closed: the benchmark notices through its timeouts
            pass

    def expect_reply(self, client_id: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.pending[client_id] = future
        return future

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def say(self, text: str, client_id: str) -> None:
        await self.send({"type": "message", "client_id": client_id, "text": text})

    async def wait_status(self, status: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.status != status:
            self.state_changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self.state_changed.wait(), remaining)
            except TimeoutError:
                return False
        return True

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


class Counsellor:
    def __init__(self, service_url: str, ws_url: str, username: str, auto_reply: bool = False):
        self.service_url, self.ws_url, self.username = service_url, ws_url, username
        self.auto_reply = auto_reply  # answer every visitor message at once with "r-<client_id>"
        self.http = HTTP(service_url)
        self.ws = self.reader = None
        self.chats: dict[int, dict] = {}  # open now
        self.taken: list[int] = []  # every chat frame after a take, in order
        self.ended: set[int] = set()
        self.visitor_messages: dict[int, int] = {}
        self.errors: list[dict] = []
        self._take: asyncio.Future | None = None
        self.on_visitor_message = None  # optional callback(conversation_id, frame)

    async def login(self) -> None:
        page = (await self.http.request("GET", "/console/login")).body.decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = f"username={self.username}&password={PASSWORD.replace(' ', '+')}&csrf_token={token.group(1)}"
        response = await self.http.request("POST", "/console/login", body=form.encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.service_url})
        if response.status != 302:
            raise RuntimeError(f"login {self.username} failed: {response.status}")
        self.http.close()

    async def connect(self) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.ws = await open_ws(self.ws_url + "/ws/console", self.service_url, {"Cookie": cookie})
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if frame["type"] == "hello":
                break
        self.reader = asyncio.create_task(self._read())
        return frame

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "message" and frame["sender"] == "visitor":
                    cid = frame["conversation_id"]
                    self.visitor_messages[cid] = self.visitor_messages.get(cid, 0) + 1
                    if self.auto_reply:
                        await self.say(cid, "Dag, ik help je graag.", "r-" + frame["client_id"])
                    if self.on_visitor_message is not None:
                        self.on_visitor_message(cid, frame)
                elif kind == "chat":
                    self.chats[frame["chat"]["id"]] = frame["chat"]
                    self.taken.append(frame["chat"]["id"])
                    if self._take is not None and not self._take.done():
                        self._take.set_result(frame["chat"])
                elif kind == "ended":
                    self.ended.add(frame["conversation_id"])
                    self.chats.pop(frame["conversation_id"], None)
                elif kind == "error":
                    self.errors.append(frame)
                    if self._take is not None and not self._take.done() and "client_id" not in frame:
                        self._take.set_exception(RuntimeError(frame["code"]))
        except Exception:
            pass

    async def take(self, conversation_id: int | None = None, timeout: float = 30) -> dict:
        """Send `take` and wait for the chat frame; raises RuntimeError(code) on an error frame."""
        self._take = asyncio.get_running_loop().create_future()
        await self.send_take(conversation_id)
        return await asyncio.wait_for(self._take, timeout)

    async def send_take(self, conversation_id: int | None = None) -> None:
        await self.ws.send(json.dumps({"type": "take", "conversation_id": conversation_id}))

    async def say(self, conversation_id: int, text: str, client_id: str) -> None:
        await self.ws.send(json.dumps({"type": "message", "conversation_id": conversation_id,
                                       "client_id": client_id, "text": text}))

    async def end(self, conversation_id: int) -> None:
        await self.ws.send(json.dumps({"type": "end", "conversation_id": conversation_id}))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


async def new_visitors(service, http, count: int, connect_limit: int = 50, compression=COMPRESSION) -> list[Visitor]:
    """`count` visitors who asked for a chat and said hello (failures raise)."""
    visitors = [Visitor(service.url, service.ws_url, compression) for _ in range(count)]
    for result in await bounded((v.request(http) for v in visitors), 16):
        if isinstance(result, BaseException) or result.status != 201:
            raise RuntimeError(f"chat request failed: {result if isinstance(result, BaseException) else result.body}")
    for result in await bounded((v.connect() for v in visitors), connect_limit):
        if isinstance(result, BaseException):
            raise RuntimeError(f"visitor socket failed: {result!r}")
    return visitors


async def settle(visitors, quiet: float = 1.0, limit: float = 60, poll: float = 0.1) -> float:
    """Wait until no visitor got a queue frame for `quiet` seconds (at most `limit`), looking every
    `poll` seconds; the seconds waited."""
    start = time.monotonic()
    last_total, last_change = -1, start
    while time.monotonic() - start < limit:
        total = sum(v.queue_frames for v in visitors)
        if total != last_total:
            last_total, last_change = total, time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            break
        await asyncio.sleep(poll)
    return round(time.monotonic() - start, 2)


async def close_all(clients, limit: int = 200) -> None:
    await bounded((c.close() for c in clients), limit)
