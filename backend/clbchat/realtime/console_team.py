"""The console socket's frames and events for working as a team: hand-over offers and answers, the
staff thread of each chat, the colleagues online, and the coordinator on call (overview, looking on,
taking part, calls for help). The frames turn into domain calls (domain/handover.py, staff_thread.py,
coordination.py); the events (domain/channels.py: `user:<id>`, `staff`, `conversation:<id>:staff`)
into this console's frames. Bound into ConsoleSession (realtime/console.py).
"""

import json
from datetime import UTC, datetime, timedelta

from ..domain import channels, coordination, handover, permissions, registration
from ..models import Conversation, HandOver, User
from ..schemas.teamwork import (
    ColleaguesOut,
    HandOverAnswerOut,
    HandOverClosedOut,
    HandOverOfferOut,
    HelpOut,
    HelpSentOut,
    OverviewOut,
    StaffInOut,
    StaffMessageOut,
)
from ..unit_of_work import reading, unit_of_work

_offer_out, _answer_out, _closed_out = HandOverOfferOut(), HandOverAnswerOut(), HandOverClosedOut()
_staff_message_out, _colleagues_out = StaffMessageOut(), ColleaguesOut()
_overview_out, _help_out, _help_sent_out, _staff_in_out = OverviewOut(), HelpOut(), HelpSentOut(), StaffInOut()


def staff_key(conversation_id: int) -> tuple:
    """The staff thread's key in the console's OrderedDelivery (a chat's own messages use its id)."""
    return ("staff", conversation_id)


# --- frames from the console --------------------------------------------------------------
def on_hand_over(console, data) -> None:
    with unit_of_work() as (session, outbox):
        handover.offer(session, data["conversation_id"], console.staff, data["to_user_id"], data["to_group"],
                       data["note"], _now(), timedelta(seconds=console.app.config["HANDOVER_SECONDS"]),
                       console.app.config["MAX_CHATS_PER_COUNSELLOR"], outbox)


def on_accept(console, data) -> None:
    with unit_of_work() as (session, outbox):
        conversation = handover.accept(session, data["handover_id"], console.staff, _now(),
                                       console.app.config["MAX_CHATS_PER_COUNSELLOR"], outbox)
        conversation_id = conversation.id
    console.open_and_send_chat(conversation_id)


def on_decline(console, data) -> None:
    with unit_of_work() as (session, outbox):
        handover.decline(session, data["handover_id"], console.staff, _now(), outbox)


def on_cancel(console, data) -> None:
    with unit_of_work() as (session, outbox):
        handover.cancel(session, data["handover_id"], console.staff, _now(), outbox)


def on_whisper(console, data) -> None:
    with unit_of_work() as (session, outbox):
        view = coordination.whisper(session, data["conversation_id"], console.staff, data["client_id"],
                                 data["text"], _now(), outbox)
    console.delivery.deliver(staff_key(view["conversation_id"]), view)


def on_watch(console, data) -> None:
    with unit_of_work() as (session, outbox):
        coordination.watch(session, data["conversation_id"], console.staff, _now(), outbox)
    console.open_and_send_chat(data["conversation_id"])


def on_join(console, data) -> None:
    conversation_id = data["conversation_id"]
    with unit_of_work() as (session, outbox):
        coordination.join(session, conversation_id, console.staff, _now(), outbox)
    if conversation_id in console.roles:
        console.roles[conversation_id] = "joined"  # the staff_in frame that follows tells the page
    else:
        console.open_and_send_chat(conversation_id)


def on_leave(console, data) -> None:
    conversation_id = data["conversation_id"]
    with unit_of_work() as (session, outbox):
        coordination.leave(session, conversation_id, console.staff, _now(), outbox)
    if console.stop_following(conversation_id):
        console.conn.send(console.released_out, {"type": "released", "conversation_id": conversation_id,
                                                 "reason": "stopped", "to": None})


def on_ask_help(console, data) -> None:
    with unit_of_work() as (session, outbox):
        reached = coordination.ask_help(session, data["conversation_id"], console.staff, _now(), outbox)
    console.conn.send(_help_sent_out, {"type": "help_sent", "conversation_id": data["conversation_id"],
                                       "coordinators": reached})


FRAME_HANDLERS = {"hand_over": on_hand_over, "handover_accept": on_accept, "handover_decline": on_decline,
                  "handover_cancel": on_cancel, "whisper": on_whisper, "watch": on_watch, "join": on_join,
                  "leave": on_leave, "ask_help": on_ask_help}


# --- events for this staff member, and for all staff ----------------------------------------
def on_team_event(console, channel, event) -> None:
    kind = event["type"]
    if kind == "handover_offer":
        send_offer(console, event["handover_id"])
    elif kind == "handover_answer":
        console.conn.send(_answer_out, event)
    elif kind == "handover_closed":
        console.conn.send(_closed_out, event)
    elif kind == "help" and console.staff.role == "coordinator":
        console.conn.send(_help_out, event)
    elif kind == "resync" and channel != channels.STAFF_CHANNEL:  # once (both channels get one): offers
        send_standing_offers(console)  # may have come and gone unheard; show the ones standing now


def send_standing_offers(console) -> None:
    with console.app.app_context(), reading() as session:
        ids = [h.id for h in handover.offers_for(session, console.staff, _now(),
                                                 console.app.config["MAX_CHATS_PER_COUNSELLOR"])]
    for handover_id in ids:
        send_offer(console, handover_id)


def send_offer(console, handover_id: int) -> None:
    with console.app.app_context(), reading() as session:
        offered = session.get(HandOver, handover_id)
        if offered is None or offered.outcome is not None:
            return
        sender = session.get(User, offered.from_user_id)
        conversation = session.get(Conversation, offered.conversation_id)
        view = {"id": offered.id, "conversation_id": offered.conversation_id, "sender": sender.display_name,
                "sender_discipline": handover.GROUP_LABELS.get(sender.discipline, ""),
                "to": _target(session, offered), "note": offered.note or "", "offered_at": offered.offered_at,
                "expires_at": offered.expires_at, "chat": console.chat_view(session, conversation),
                "draft": registration.draft(conversation)}
        # The preview shows the note and the service's lines; whispers stay with those who were in the chat.
        view["chat"]["staff_messages"] = [m for m in view["chat"]["staff_messages"] if m["kind"] != "whisper"]
    console.conn.send(_offer_out, {"type": "handover_offer", "offer": view})


def open_offer_view(session, conversation_id: int, user_id: int) -> dict | None:
    """This user's standing offer of this chat, for the chat's view in their console."""
    offered = handover.open_offer(session, conversation_id)
    if offered is None or offered.from_user_id != user_id:
        return None
    return {"id": offered.id, "to": _target(session, offered), "expires_at": offered.expires_at}


def send_colleagues(console, colleagues: list[dict]) -> None:
    others = [c for c in colleagues if c["id"] != console.user_id]
    if others != console.last_colleagues:
        console.last_colleagues = others
        console.conn.send(_colleagues_out, {"type": "colleagues", "colleagues": others})


def overview_frame(overview: dict) -> str:
    """The `overview` frame's text, built once per hub tick for every coordinator's console."""
    return json.dumps(_overview_out.dump({"type": "overview", **overview}), ensure_ascii=False)


def send_staff_in(console, conversation_id: int) -> None:
    """Who looks on or takes part in a chat shown here changed. This user's own part may have changed
    too (from another tab of theirs): re-read it, and stop showing a chat they are no longer in."""
    if conversation_id not in console.roles:
        return
    with console.app.app_context(), reading() as session:
        conversation = session.get(Conversation, conversation_id)
        role = permissions.relation(session, conversation, console.staff)
        staff = coordination.staff_in(session, conversation_id)
    if role is None:
        if console.stop_following(conversation_id):
            console.conn.send(console.released_out, {"type": "released", "conversation_id": conversation_id,
                                                     "reason": "stopped", "to": None})
        return
    console.roles[conversation_id] = role
    console.conn.send(_staff_in_out, {"type": "staff_in", "conversation_id": conversation_id, "staff": staff})


def send_staff_message(console, view: dict) -> None:
    console.conn.send(_staff_message_out, {"type": "staff_message", **view})


def _target(session, offered: HandOver) -> str:
    if offered.to_user_id is not None:
        return session.get(User, offered.to_user_id).display_name
    return handover.GROUP_LABELS[offered.to_group]


def _now() -> datetime:
    return datetime.now(UTC)
