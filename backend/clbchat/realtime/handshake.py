"""Checks and socket options applied to every WebSocket request before the upgrade.

A console socket needs a login and this service's own Origin; a visitor socket needs an Origin that
some registered site allows (its own site is checked again at `hello`, once the token names it).
An upgrade request that simple-websocket could not accept (no key, another protocol version) gets a
4xx here, not a 500 with a traceback from inside the socket route.
"""

import contextlib
import socket

from flask import Response, abort, request

from ..auth import current_user
from ..extensions import db
from . import bp
from .origins import origin_allowed_anywhere, own_origin


@bp.before_request
def check_handshake():
    # Chat frames are small JSON: permessage-deflate would save little and its zlib state costs about
    # 100 KB per socket (docs/benchmarks.md). Without the client's offer none is negotiated.
    request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
    _send_small_frames_at_once(request.environ)
    _check_upgrade_headers()
    origin = request.headers.get("Origin")
    if request.endpoint == "realtime.console_socket":
        if (origin or "").rstrip("/") != own_origin() or current_user() is None:
            abort(403)
    elif request.endpoint == "realtime.visitor_socket" and not origin_allowed_anywhere(origin):
        abort(403)
    # The socket's handler runs inside this request for hours: end the check's session now, so no
    # transaction or pooled connection waits with it for the client's first frame.
    db.session.remove()


def _check_upgrade_headers() -> None:
    """What wsproto requires of the upgrade beyond `Connection: Upgrade` and `Upgrade: websocket`
    (without those the route does not match: 400 already)."""
    version = request.headers.get("Sec-WebSocket-Version")
    if version != "13":
        if version:  # RFC 6455, 4.4: name the version this server speaks
            abort(Response("Upgrade Required: WebSocket version 13\n", 426, {"Sec-WebSocket-Version": "13"}))
        abort(400, "Sec-WebSocket-Version: 13 is missing.")
    if not request.headers.get("Sec-WebSocket-Key") or not request.headers.get("Host"):
        abort(400, "Sec-WebSocket-Key or Host is missing.")


def _send_small_frames_at_once(environ) -> None:
    """Chat frames are small and often come in pairs (the message, then its ack). With Nagle's
    algorithm the second waits for the peer's delayed ACK: tens of milliseconds per hop. (gunicorn's
    listener sets this too; this covers the development server.)"""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
