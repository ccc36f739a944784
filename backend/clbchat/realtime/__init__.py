"""The WebSocket layer: visitor and console sockets, and the per-process hub that feeds them.

Handlers translate frames into domain calls and domain events into frames; the rules live in
`clbchat.domain`. Everything here is process-local and may be lost with the process: a client that
reconnects (to any process) gets its state back from the database.
"""

from flask import Blueprint

bp = Blueprint("realtime", __name__)

from . import console, handshake, visitor  # noqa: E402,F401  (registers routes and checks on bp)
