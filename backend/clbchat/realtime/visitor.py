"""The visitor's WebSocket (`/ws/visitor`): attach with a resume token, wait, chat, end, rate."""

from datetime import UTC, datetime

from flask import current_app, request
from simple_websocket import ConnectionClosed

from ..domain import blocks, channels, conversations, queue, views
from ..domain.errors import DomainError
from ..domain.estimates import estimate_wait
from ..extensions import sock
from ..models import Conversation
from ..schemas import (
    VISITOR_IN,
    BlockedOut,
    PongOut,
    StateOut,
    VisitorAckOut,
    VisitorMessageOut,
    VisitorTypingOut,
)
from ..unit_of_work import reading, retrying_on_conflict, unit_of_work
from . import bp
from .connection import Connection
from .delivery import OrderedDelivery
from .origins import origin_allowed

HELLO_TIMEOUT_SECONDS = 15
_state_out, _message_out = StateOut(), VisitorMessageOut()
_ack_out, _typing_out, _pong_out = VisitorAckOut(), VisitorTypingOut(), PongOut()
_blocked_out = BlockedOut()


@sock.route("/ws/visitor", bp=bp)
def visitor_socket(ws):
    app = current_app._get_current_object()
    conn = Connection(ws, VISITOR_IN, app.config["FLOOD_BURST"], app.config["FLOOD_PER_SECOND"])
    VisitorSession(app, conn, request.headers.get("Origin")).run()


class VisitorSession:
    def __init__(self, app, conn: Connection, origin: str | None):
        self.app = app
        self.hub = app.extensions["clbchat.hub"]
        self.bus = app.extensions["clbchat.bus"]
        self.conn = conn
        self.origin = origin
        self.conversation_id: int | None = None
        self.status: str | None = None
        self.epoch = 0
        self.delivery = OrderedDelivery(self)  # message frames in seq order, once
        self.last_queue: tuple | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def run(self) -> None:
        try:
            if self._hello():
                self._serve()
        except ConnectionClosed:
            pass
        finally:
            self._detach()

    def _hello(self) -> bool:
        while True:
            try:
                frame = self.conn.receive(timeout=HELLO_TIMEOUT_SECONDS)
            except DomainError as exc:
                self.conn.error(exc.code, exc.message, **exc.details)
                continue
            if frame is None:
                self.conn.error("hello_required", "Geen 'hello' ontvangen; de verbinding wordt gesloten.")
                return False
            kind, data = frame
            if kind != "hello":
                self.conn.error("hello_required", "Stuur eerst een 'hello' met je token.")
                continue
            try:
                self._attach(data["token"], data["after_seq"])
                return True
            except DomainError as exc:
                self.conn.error(exc.code, exc.message)
                if exc.code == "origin_not_allowed":
                    return False

    def _attach(self, token: str, after_seq: int) -> None:
        with unit_of_work() as (session, _outbox):
            conversation = conversations.by_token(session, token)
            if not origin_allowed(self.origin, conversation.site.allowed_origins):
                raise DomainError("origin_not_allowed", "Deze website mag deze chat niet openen.")
            self.conversation_id = conversation.id
            self.status = conversation.status
            if conversation.status != "ended":
                conversation.visitor_seen_at = _now()
                conversation.visitor_connected = True
                conversation.visitor_epoch += 1
                self.epoch = conversation.visitor_epoch
        channel = channels.conversation_channel(self.conversation_id)
        # The catch-up point comes first: a message event that arrives after the subscription below
        # but before the catch-up must find after_seq here, or its gap fill would start from 0 and
        # replay everything the visitor already has.
        self.delivery.start(self.conversation_id, after_seq)
        # Subscribe before reading the state and the transcript so nothing published in between is missed.
        self.bus.subscribe(channel, self._on_event)
        self.hub.add_visitor(self)
        self.send_state()
        self.delivery.fill(self.conversation_id)
        if self.status == "ended":
            self.send_block()  # a chat ended with a block while this visitor was away
        else:
            self.bus.publish(channel, {"type": "presence", "conversation_id": self.conversation_id,
                                       "visitor_connected": True})

    def _detach(self) -> None:
        if self.conversation_id is None:
            self.conn.close()
            return
        self.hub.remove_visitor(self)
        channel = channels.conversation_channel(self.conversation_id)
        self.bus.unsubscribe(channel, self._on_event)
        self.conn.close()
        if self.status != "ended":
            # The grace period starts now, not at the last heartbeat.
            with self.app.app_context(), unit_of_work() as (session, _outbox):
                gone = conversations.visitor_gone(session, self.conversation_id, self.epoch, _now())
            if gone:
                self.bus.publish(channel, {"type": "presence", "conversation_id": self.conversation_id,
                                           "visitor_connected": False})

    def _serve(self) -> None:
        self.conn.serve(self, self.FRAME_HANDLERS)

    # --- frames from the visitor ----------------------------------------------------------
    def _on_ping(self, _data) -> None:
        self.conn.send(_pong_out, {"type": "pong"})

    def _on_hello_again(self, _data) -> None:
        self.conn.error("wrong_state", "Je bent al verbonden.")

    def _on_message(self, data) -> None:
        def store(retry):
            with unit_of_work() as (session, outbox):
                return conversations.post_message(session, self.conversation_id, "visitor", data["client_id"],
                                                  data["text"], _now(), outbox, look_up_first=retry)

        view = retrying_on_conflict(store)
        # The message itself reaches this socket through the bus (published on commit), before the ack.
        self.delivery.deliver(self.conversation_id, view)
        self.conn.send(_ack_out, {"type": "ack", "client_id": view["client_id"], "seq": view["seq"]})

    def _on_typing(self, data) -> None:
        if self.status == "active":
            self.bus.publish(channels.conversation_channel(self.conversation_id),
                             {"type": "typing", "conversation_id": self.conversation_id, "sender": "visitor",
                              "active": data["active"]})

    def _on_leave(self, data) -> None:
        with unit_of_work() as (session, outbox):
            conversation = session.get(Conversation, self.conversation_id)
            # "Snel weg" may mean someone walked in: the counsellor is told so, not a normal goodbye.
            quick_exit = data["reason"] == "quick_exit"
            conversations.end(session, conversation, "quick_exit" if quick_exit else "visitor", _now(), outbox,
                              visitor_vanished=quick_exit)

    def _on_rate(self, data) -> None:
        with unit_of_work() as (session, outbox):
            conversation = session.get(Conversation, self.conversation_id)
            conversations.rate(session, conversation, data["stars"], data["comment"], _now(), outbox)

    # One table for the class: a dict of bound methods per socket would cost ~0.7 KB per idle visitor.
    FRAME_HANDLERS = {"message": _on_message, "typing": _on_typing, "leave": _on_leave, "rate": _on_rate,
                      "ping": _on_ping, "hello": _on_hello_again}

    # --- events for this conversation -----------------------------------------------------
    def _on_event(self, _channel, event) -> None:
        kind = event["type"]
        if kind == "message":
            self.delivery.deliver(self.conversation_id, event)
        elif kind == "status":
            self.send_state()
        elif kind == "resync":  # events may have been missed: reload what this visitor sees
            self.send_state()
            self.delivery.fill(self.conversation_id)
        elif kind == "blocked":
            self.send_block()
        elif kind == "typing" and event["sender"] == "counsellor":
            self.conn.send(_typing_out, {"type": "typing", "active": event["active"]})

    # --- OrderedDelivery's reader ---------------------------------------------------------
    def send_view(self, _key, view: dict) -> None:
        self.conn.send(_message_out, {"type": "message", **view})

    def read_after(self, _key, after_seq: int) -> list[dict]:
        with self.app.app_context(), reading() as session:
            conversation = session.get(Conversation, self.conversation_id)
            return conversations.transcript(session, conversation, after_seq)

    def send_state(self) -> None:
        with self.app.app_context(), reading() as session:
            conversation = session.get(Conversation, self.conversation_id)
            position = queue.position_of(session, conversation)
            estimate = None
            if position is not None:
                rate = queue.queue_rate(session, _now(), self.app.config["MAX_CHATS_PER_COUNSELLOR"])
                estimate = estimate_wait(position, rate)
                self.last_queue = (position, estimate)
            self.status = conversation.status
            state = views.visitor_state(conversation, position, estimate)
        self.conn.send(_state_out, state)

    def send_block(self) -> None:
        """The marker of a block of this chat's visitor, for their widget to keep (domain/blocks.py)."""
        found = blocks.of_conversation(self.app.extensions["clbchat.store"], self.conversation_id)
        if found is not None:
            self.conn.send(_blocked_out, {"type": "blocked", "marker": found.marker, "until": found.until})

    def on_queue(self, positions: dict[int, int], rate) -> None:
        """Called by the hub with the fresh queue; sends only when this visitor's numbers changed."""
        if self.status != "waiting":
            return
        position = positions.get(self.conversation_id)
        if position is None:
            return
        estimate = estimate_wait(position, rate)
        if (position, estimate) != self.last_queue:
            self.last_queue = (position, estimate)
            self.conn.send_text(queue_frame(position, estimate))


def queue_frame(position: int, estimate_seconds: int | None) -> str:
    """The `queue` frame (docs/protocol.md), built directly: it goes to every waiting visitor
    on each move, and marshmallow plus json.dumps per visitor were a fifth of that fan-out."""
    estimate = "null" if estimate_seconds is None else int(estimate_seconds)
    return f'{{"type":"queue","position":{int(position)},"estimate_seconds":{estimate}}}'


def _now() -> datetime:
    return datetime.now(UTC)
