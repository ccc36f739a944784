"""A JSON WebSocket: frame parsing and validation, a per-connection flood limit, thread-safe sends.

Bad frames never close the socket: they are answered with an error frame to this sender only. The
one exception is a frame over `schemas.FRAME_MAX` characters (closed with 1009 by simple-websocket,
which must not buffer it), far above the largest valid frame.
"""

import contextlib
import json
import logging
import socket
import threading
import time
import weakref

from marshmallow import ValidationError
from simple_websocket import ConnectionClosed
from sqlalchemy.exc import SQLAlchemyError

from ..domain.errors import DomainError
from ..schemas import ErrorOut, parse_json, printable

log = logging.getLogger(__name__)
_error_out = ErrorOut()
# Every open socket of this process, hello or not, so a graceful stop can close each with 1001
# (Hub.going_away). Weak: a finished socket leaves by itself.
_live: "weakref.WeakSet[Connection]" = weakref.WeakSet()
CLOSE_ANSWER_SECONDS = 2  # how long a closing peer may take to answer our close frame


class TokenBucket:
    def __init__(self, burst: int, per_second: float):
        self.capacity = burst
        self.tokens = float(burst)
        self.rate = per_second
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Connection:
    def __init__(self, ws, schemas: dict, burst: int, per_second: float):
        self.ws = ws
        self.schemas = schemas
        self.bucket = TokenBucket(burst, per_second)
        self._send_lock = threading.Lock()
        self.open = True
        _live.add(self)

    def send(self, schema, payload: dict) -> bool:
        """Send one frame; False (and the connection marked closed) when the peer is gone."""
        return self.send_text(json.dumps(schema.dump(payload), ensure_ascii=False))

    def send_text(self, data: str) -> bool:
        """Send a frame already encoded (for the queue fan-out, where encoding per visitor adds up)."""
        with self._send_lock:
            if not self.open:
                return False
            try:
                self.ws.send(data)
                return True
            except (ConnectionClosed, OSError):
                self.open = False
                return False

    def error(self, code: str, message: str, **details) -> None:
        # Messages and details may quote the sender's input, which can hold lone surrogates.
        details = {k: printable(v) if isinstance(v, str) else v for k, v in details.items()}
        self.send(_error_out, {"type": "error", "code": code, "message": printable(message), **details})

    def serve(self, owner, handlers: dict) -> None:
        """Call `handlers[type](owner, fields)` for each frame until the peer goes; errors go back to
        this sender only."""
        while True:
            frame = None
            try:
                frame = self.receive()
                if frame is not None:
                    kind, data = frame
                    handlers[kind](owner, data)
            except DomainError as exc:
                self.error(exc.code, exc.message, **exc.details)
            except SQLAlchemyError:
                # The database is unreachable or failed: nothing was stored (the unit of work rolled
                # back). Tell this sender to try again; keep the socket for when it is back.
                log.exception("database error while handling a frame")
                self.error("unavailable", "Even geen verbinding met de databank. Probeer het zo opnieuw.",
                           **_client_id_of_frame(frame))
            except ConnectionClosed:
                raise
            except Exception:
                # A bug, not bad input (the schemas let through only what the domain can handle). The
                # unit of work rolled back; answer like HTTP's 500 rather than drop the other frames.
                log.exception("error while handling a frame")
                self.error("server_error", "Er ging iets mis aan onze kant. Probeer het opnieuw.",
                           **_client_id_of_frame(frame))

    def receive(self, timeout: float | None = None) -> tuple[str, dict] | None:
        """The next valid frame as (type, fields); None on timeout. Raises ConnectionClosed, DomainError."""
        raw = self.ws.receive(timeout=timeout)
        if raw is None:
            if not self.ws.connected:
                raise ConnectionClosed()
            return None
        if not self.bucket.take():
            raise DomainError("rate_limited", "Je stuurt te snel berichten. Wacht even.", **_client_id_of(raw))
        if isinstance(raw, bytes):
            raise DomainError("binary_not_supported", "Alleen tekstberichten (JSON) worden aanvaard.")
        try:
            frame = parse_json(raw)
        except ValueError:
            raise DomainError("bad_json", "Dit is geen geldig JSON-bericht.") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise DomainError("bad_json", "Een bericht is een JSON-object met een 'type'.")
        schema = self.schemas.get(frame["type"])
        if schema is None:
            raise DomainError("unknown_type", f"Onbekend berichttype: {frame['type'][:40]!r}.")
        try:
            return frame["type"], schema.load(frame)
        except ValidationError as exc:
            details = {}
            if isinstance(frame.get("client_id"), str):
                details["client_id"] = frame["client_id"][:64]
            raise DomainError("invalid", _first_error(exc.messages), **details) from None

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        """Send a close frame (1000 unless `code` says otherwise), let the peer answer it, and wake a
        handler waiting in `receive` (it raises ConnectionClosed).

        The socket's reader thread ends when the peer's close frame arrives; a peer that does not
        answer within CLOSE_ANSWER_SECONDS is cut (shutdown wakes the reader). Only then may the server
        close the descriptor: a reader left waiting on a closed one would linger until its next ping
        (and hold up a worker's exit)."""
        with self._send_lock:
            self.open = False
        with contextlib.suppress(Exception):  # already closed by the peer
            self.ws.close(code, reason)
        reader = getattr(self.ws, "thread", None)
        if reader is not None and reader is not threading.current_thread():
            reader.join(CLOSE_ANSWER_SECONDS)
            if reader.is_alive():
                with contextlib.suppress(OSError):
                    self.ws.sock.shutdown(socket.SHUT_RDWR)
        self.ws.event.set()


def live_connections() -> list[Connection]:
    """The sockets of this process that are still open (for a graceful stop)."""
    return [conn for conn in list(_live) if conn.open]


def _first_error(messages) -> str:
    if isinstance(messages, dict):
        field, problems = next(iter(messages.items()))
        text = problems[0] if isinstance(problems, list) else str(problems)
        return f"{str(field)[:40]}: {text}"  # an unknown field's name is the sender's, of any length
    return str(messages)


def _client_id_of_frame(frame) -> dict:
    data = frame[1] if frame else {}
    return {"client_id": data["client_id"]} if isinstance(data.get("client_id"), str) else {}


def _client_id_of(raw) -> dict:
    """Best effort: name the dropped message so the sender can mark it as not sent."""
    if isinstance(raw, str) and len(raw) < 20000:
        try:
            frame = parse_json(raw)
            if isinstance(frame, dict) and isinstance(frame.get("client_id"), str):
                return {"client_id": frame["client_id"][:64]}
        except ValueError:
            pass
    return {}
