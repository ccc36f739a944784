"""The counsellor's WebSocket (`/ws/console`): the live queue, taking visitors, several chats at once;
working as a team (hand-over, the staff thread, colleagues online) in realtime/console_team.py."""

from datetime import UTC, datetime, timedelta

from flask import current_app
from simple_websocket import ConnectionClosed
from sqlalchemy import select

from ..auth import current_user
from ..domain import blocks, channels, conversations, coordination, permissions, queue, staff_thread, views
from ..domain.errors import DomainError
from ..extensions import db, sock
from ..models import Conversation, User
from ..schemas import (
    CONSOLE_IN,
    AckOut,
    ChatEventOut,
    ConsoleHelloOut,
    ConsoleQueueOut,
    EndedOut,
    MessageOut,
    PongOut,
    PresenceOut,
    ReleasedOut,
    TypingOut,
)
from ..unit_of_work import reading, retrying_on_conflict, unit_of_work
from . import bp, console_team
from .connection import Connection
from .delivery import OrderedDelivery

_hello_out, _queue_out, _chat_out, _message_out = ConsoleHelloOut(), ConsoleQueueOut(), ChatEventOut(), MessageOut()
_ack_out, _typing_out, _presence_out = AckOut(), TypingOut(), PresenceOut()
_ended_out, _released_out, _pong_out = EndedOut(), ReleasedOut(), PongOut()


@sock.route("/ws/console", bp=bp)
def console_socket(ws):
    app = current_app._get_current_object()
    user = current_user()  # present: the handshake check refused sockets without a login
    counsellor = {"id": user.id, "display_name": user.display_name, "role": user.role,
                  "max_chats": user.max_chats or app.config["MAX_CHATS_PER_COUNSELLOR"]}
    db.session.remove()
    conn = Connection(ws, CONSOLE_IN, app.config["FLOOD_BURST"], app.config["FLOOD_PER_SECOND"])
    ConsoleSession(app, conn, counsellor).run()


class ConsoleSession:
    def __init__(self, app, conn: Connection, counsellor: dict):
        self.app = app
        self.hub = app.extensions["clbchat.hub"]
        self.bus = app.extensions["clbchat.bus"]
        self.conn = conn
        self.counsellor = counsellor
        self.user_id = counsellor["id"]
        self.staff = permissions.Staff(counsellor["id"], counsellor["role"], counsellor["display_name"])
        # Each open chat's messages, and its staff thread (console_team.staff_key), in seq order, once.
        self.delivery = OrderedDelivery(self)
        self.released_out = _released_out
        self.roles: dict[int, str] = {}  # open chat -> this user's part in it: owner, watcher or joined
        self.last_queue = None
        self.last_colleagues = None
        self.last_overview = None

    def run(self) -> None:
        try:
            self._hello()
            self._serve()
        except ConnectionClosed:
            pass
        finally:
            self.hub.remove_console(self)
            for conversation_id in self._open_chats():
                self._unwatch(conversation_id)
            for channel in self._own_channels():
                self.bus.unsubscribe(channel, self._on_team_event)
            self.conn.close()
            self.hub.queue_changed()  # counsellors online changed

    def _hello(self) -> None:
        with unit_of_work() as (session, _outbox):
            # Online from now (the heartbeat keeps it so), which the estimates shown to visitors use.
            conversations.touch_counsellors(session, [self.user_id], _now())
            ids = session.scalars(
                select(Conversation.id).where(Conversation.counsellor_id == self.user_id,
                                              Conversation.status == "active").order_by(Conversation.picked_up_at)
            ).all()
            # A coordinator's console reopens the chats they look on or take part in.
            ids += [i for i in coordination.chats_of(session, self.user_id) if i not in ids]
        for channel in self._own_channels():  # hand-over offers and answers, alerts for all staff
            self.bus.subscribe(channel, self._on_team_event)
        # Events for these chats wait until their history has gone out first.
        with self.delivery.held():
            chats = [self._open_chat(conversation_id) for conversation_id in ids]
            self.conn.send(_hello_out, {"type": "hello", "counsellor": self.counsellor, "chats": chats})
        self.hub.add_console(self)
        self.on_queue(self.hub.current_snapshot())
        console_team.send_standing_offers(self)

    def _own_channels(self) -> tuple[str, str]:
        return channels.user_channel(self.user_id), channels.STAFF_CHANNEL

    def _open_chats(self) -> list[int]:
        return [key for key in self.delivery.threads() if isinstance(key, int)]

    def _open_chat(self, conversation_id: int) -> dict:
        """Subscribe and read the chat; call holding self.delivery.held()."""
        self._watch(conversation_id)
        try:
            chat = self._chat_view(conversation_id)
        except Exception:  # a database blip: leave no subscription behind
            self._unwatch(conversation_id)
            raise
        self.roles[conversation_id] = chat["role"]
        self.delivery.start(conversation_id, chat["messages"][-1]["seq"] if chat["messages"] else 0)
        staff_lines = chat["staff_messages"]
        self.delivery.start(console_team.staff_key(conversation_id), staff_lines[-1]["seq"] if staff_lines else 0)
        return chat

    def open_and_send_chat(self, conversation_id: int) -> None:
        """Show a chat that just became this counsellor's (taken from the queue, or handed over)."""
        with self.delivery.held():
            self.conn.send(_chat_out, {"type": "chat", "chat": self._open_chat(conversation_id)})

    def _serve(self) -> None:
        self.conn.serve(self, self.FRAME_HANDLERS)

    # --- frames from the counsellor -------------------------------------------------------
    def _on_ping(self, _data) -> None:
        self.conn.send(_pong_out, {"type": "pong"})

    def _on_take(self, data) -> None:
        with unit_of_work() as (session, outbox):
            user = session.get(User, self.user_id)
            conversation = queue.take(session, user, data["conversation_id"],
                                      self.app.config["MAX_CHATS_PER_COUNSELLOR"], _now(), outbox)
            conversation_id = conversation.id
        self.open_and_send_chat(conversation_id)

    def _on_message(self, data) -> None:
        # A coordinator who joined the chat writes as "coordinator"; the chat's owner as "counsellor".
        sender = "coordinator" if self.roles.get(data["conversation_id"]) == "joined" else "counsellor"

        def store(retry):
            with unit_of_work() as (session, outbox):
                return conversations.post_message(session, data["conversation_id"], sender,
                                                  data["client_id"], data["text"], _now(), outbox,
                                                  author=self.staff, look_up_first=retry)

        view = retrying_on_conflict(store)
        self.delivery.deliver(view["conversation_id"], view)
        self.conn.send(_ack_out, {"type": "ack", "conversation_id": view["conversation_id"],
                                  "client_id": view["client_id"], "seq": view["seq"]})

    def _on_typing(self, data) -> None:
        conversation_id = data["conversation_id"]
        if self.roles.get(conversation_id) not in ("owner", "joined"):  # permissions.py: "write"
            raise DomainError("not_your_chat", "Dit gesprek is niet van jou.", conversation_id=conversation_id)
        self.bus.publish(channels.conversation_channel(conversation_id),
                         {"type": "typing", "conversation_id": conversation_id, "sender": "counsellor",
                          "active": data["active"]})

    def _on_end(self, data) -> None:
        conversation_id, minutes = data["conversation_id"], data["block_minutes"]
        store = self.app.extensions["clbchat.store"]
        if minutes is not None:  # end and block this visitor's browser session (domain/blocks.py)
            with self.app.app_context(), reading() as session:
                permissions.require(session, conversation_id, self.staff, "end")
            blocks.make(store, conversation_id, self.staff, minutes, _now())
        try:
            with unit_of_work() as (session, outbox):
                conversations.end_by_staff(session, conversation_id, self.staff, _now(), outbox)
                if minutes is not None:
                    blocks.record(session, conversation_id, self.staff, minutes, _now(), outbox)
        except Exception:
            if minutes is not None:
                blocks.forget(store, conversation_id)
            raise

    def _on_sync(self, data) -> None:
        conversation_id = data["conversation_id"]
        with unit_of_work() as (session, _outbox):
            conversation = permissions.require(session, conversation_id, self.staff, "read")
            messages = conversations.transcript(session, conversation, data["after_seq"])
        for message in messages:
            self.conn.send(_message_out, {"type": "message", **message})

    FRAME_HANDLERS = {"take": _on_take, "message": _on_message, "typing": _on_typing, "end": _on_end,
                      "sync": _on_sync, "ping": _on_ping, **console_team.FRAME_HANDLERS}

    # --- events ---------------------------------------------------------------------------
    def _watch(self, conversation_id: int) -> None:
        self.bus.subscribe(channels.conversation_channel(conversation_id), self._on_event)
        self.bus.subscribe(channels.staff_thread_channel(conversation_id), self._on_event)

    def _unwatch(self, conversation_id: int) -> None:
        self.bus.unsubscribe(channels.conversation_channel(conversation_id), self._on_event)
        self.bus.unsubscribe(channels.staff_thread_channel(conversation_id), self._on_event)

    def stop_following(self, conversation_id: int) -> bool:
        """Stop showing a chat here; False when it was not shown."""
        self._unwatch(conversation_id)
        self.roles.pop(conversation_id, None)
        self.delivery.stop(console_team.staff_key(conversation_id))
        return self.delivery.stop(conversation_id)

    def _on_team_event(self, channel, event) -> None:
        console_team.on_team_event(self, channel, event)

    def _on_event(self, _channel, event) -> None:
        kind, conversation_id = event["type"], event["conversation_id"]
        if kind == "message":
            self.delivery.deliver(conversation_id, event)
        elif kind == "staff_message":
            self.delivery.deliver(console_team.staff_key(conversation_id), event)
        elif kind == "staff_in":
            console_team.send_staff_in(self, conversation_id)
        elif kind == "typing" and event["sender"] == "visitor":
            self.conn.send(_typing_out, {"type": "typing", "conversation_id": conversation_id,
                                         "active": event["active"]})
        elif kind == "presence":
            self.conn.send(_presence_out, {"type": "presence", "conversation_id": conversation_id,
                                           "visitor_connected": event["visitor_connected"]})
        elif kind == "status":
            self._on_status(conversation_id)
        elif kind == "resync":  # events may have been missed: check the status, then fill the gaps
            self._on_status(conversation_id)  # a chat no longer ours is dropped before anything is read
            self.delivery.fill(conversation_id)
            self.delivery.fill(console_team.staff_key(conversation_id))
            console_team.send_staff_in(self, conversation_id)

    def _on_status(self, conversation_id: int) -> None:
        with self.app.app_context(), reading() as session:
            conversation = session.get(Conversation, conversation_id)
            status, ended_by = conversation.status, conversation.ended_by
            new_owner = conversation.counsellor.display_name if conversation.counsellor else None
            related = permissions.relation(session, conversation, self.staff)
        if status == "active" and related is not None:
            return
        # Ended, or no longer this user's (back in the queue, or handed over to a colleague).
        if not self.stop_following(conversation_id):
            return
        if status == "ended":
            self.conn.send(_ended_out, {"type": "ended", "conversation_id": conversation_id, "by": ended_by})
        elif status == "waiting":
            self.conn.send(_released_out, {"type": "released", "conversation_id": conversation_id,
                                           "reason": "requeued", "to": None})
        else:
            self.conn.send(_released_out, {"type": "released", "conversation_id": conversation_id,
                                           "reason": "handed_over", "to": new_owner})

    def on_colleagues(self, colleagues: list[dict]) -> None:
        """Called by the hub with the colleagues online (discipline, load), for hand-over."""
        console_team.send_colleagues(self, colleagues)

    def on_overview(self, frame: str) -> None:
        """Called by the hub with the team's overview frame; a coordinator's console shows it."""
        if self.staff.role == "coordinator" and frame != self.last_overview:
            self.last_overview = frame
            self.conn.send_text(frame)

    def on_queue(self, snapshot) -> None:
        head = [entry.__dict__ for entry in snapshot.head]
        payload = {"type": "queue", "waiting": len(snapshot.order), "head": head,
                   "counsellors_online": snapshot.rate.counsellors_online}
        key = (payload["waiting"], tuple(e["id"] for e in head), payload["counsellors_online"])
        if key != self.last_queue:
            self.last_queue = key
            self.conn.send(_queue_out, payload)

    # --- reads (and OrderedDelivery's reader) ------------------------------------------------
    def read_after(self, key, after_seq: int) -> list[dict]:
        with self.app.app_context(), reading() as session:
            if isinstance(key, tuple):  # the staff thread
                return staff_thread.transcript(session, key[1], after_seq)
            conversation = session.get(Conversation, key)
            return conversations.transcript(session, conversation, after_seq)

    def send_view(self, key, view: dict) -> None:
        if isinstance(key, tuple):
            console_team.send_staff_message(self, view)
        else:
            self.conn.send(_message_out, {"type": "message", **view})

    def _chat_view(self, conversation_id: int) -> dict:
        with self.app.app_context(), reading() as session:
            return self.chat_view(session, session.get(Conversation, conversation_id))

    def chat_view(self, session, conversation) -> dict:
        fresh_after = _now() - timedelta(seconds=3 * self.app.config["HEARTBEAT_SECONDS"])
        return views.staff_chat(conversation, permissions.relation(session, conversation, self.staff) or "viewer",
                                conversations.transcript(session, conversation),
                                staff_thread.transcript(session, conversation.id),
                                coordination.staff_in(session, conversation.id),
                                console_team.open_offer_view(session, conversation.id, self.user_id), fresh_after)


def _now() -> datetime:
    return datetime.now(UTC)
