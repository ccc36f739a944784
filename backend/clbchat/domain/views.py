"""What each viewer sees of a conversation: the visitor, and the staff in it.

The transport layers send what these functions build and nothing else. A visitor's views are built
from the visitor-facing thread (`messages`) and the conversation row only; staff-only data (the staff
thread, hand-over notes, who watches) is never an input to them.
"""

from datetime import datetime


def message(conversation_id: int, seq: int, sender: str, nickname: str | None, author_name: str | None,
            text: str, client_id: str, sent_at: datetime) -> dict:
    """A message of the thread, the same for the visitor and staff: the visitor's under their nickname,
    a staff member's under their display name, a line from the service under nobody."""
    author = None if sender == "system" else nickname if sender == "visitor" else author_name or "CLB"
    return {"conversation_id": conversation_id, "seq": seq, "sender": sender, "author": author, "text": text,
            "client_id": client_id, "sent_at": sent_at.isoformat()}


def visitor_state(conversation, position: int | None, estimate_seconds: int | None) -> dict:
    """The visitor's `state` frame: where their chat stands, and who answers (the owner's name only)."""
    return {"type": "state", "conversation_id": conversation.id, "status": conversation.status,
            "position": position, "estimate_seconds": estimate_seconds,
            "counsellor": conversation.counsellor.display_name if conversation.counsellor else None,
            "ended_by": conversation.ended_by, "rated": conversation.rated_at is not None}


def staff_chat(conversation, role: str, messages: list[dict], staff_messages: list[dict], staff_in: list[dict],
               open_handover: dict | None, visitor_fresh_after: datetime) -> dict:
    """A chat as a staff console shows it: the visitor's side, where they came from, the thread, the
    staff thread, the viewer's part in it (`role`: owner, watcher, joined), the coordinators in it and
    the viewer's standing hand-over offer of it. `visitor_fresh_after`: a heartbeat older than this
    means the visitor's connection is in doubt."""
    c = conversation
    fresh = c.visitor_seen_at is not None and c.visitor_seen_at >= visitor_fresh_after
    return {"id": c.id, "nickname": c.nickname, "visitor_role": c.visitor_role, "status": c.status,
            "visitor_connected": bool(c.visitor_connected and fresh),
            "requested_at": c.requested_at, "picked_up_at": c.picked_up_at, "ended_by": c.ended_by,
            "taken_over": c.requeued_at is not None, "site": c.site.name, "ref": c.ref, "crisis_at": c.crisis_at,
            "role": role, "counsellor": c.counsellor.display_name if c.counsellor else None,
            "messages": messages, "staff_messages": staff_messages, "staff_in": staff_in, "handover": open_handover}
