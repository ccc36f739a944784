"""The event channels and the events on each: the one catalogue (docs/events.md tells it for people).

Domain functions put `(channel, event)` pairs in the unit of work's outbox, published after the
commit (unit_of_work.py), in-process or through Redis to every process (events/). An event says that
something changed and carries little; each socket turns it into its viewer's frames (domain/views.py),
reading from the database what it needs.

| channel                   | events                                   | who listens                              |
|---------------------------|------------------------------------------|------------------------------------------|
| queue                     | queue_changed                            | every process's hub (positions, consoles) |
| conversation:<id>         | message, status, typing, presence,       | the visitor's socket, and the staff in   |
|                           | blocked                                  | that chat: only what a visitor may see   |
| conversation:<id>:staff   | staff_message, staff_in                  | the staff in that chat; never a visitor  |
| user:<id>                 | handover_offer, handover_answer          | that staff member's consoles, any host   |
| staff                     | handover_closed, help, overview_changed  | every console; every hub (the overview)  |
| sites                     | sites_changed                            | every process (forgets cached sites)     |
| hours                     | hours_changed                            | every process (forgets its schedule and  |
|                           |                                          | status answers)                          |

Any subscriber may also get `resync` (the bus lost events, e.g. during a Redis outage): it reloads
what its viewer sees from the database.

A visitor's socket subscribes to `conversation:<id>` of its own chat and to nothing else, so staff-only
events cannot reach it by any path; the staff thread lives on its own channel and its own table.
"""

QUEUE_CHANNEL = "queue"
STAFF_CHANNEL = "staff"
SITES_CHANNEL = "sites"
HOURS_CHANNEL = "hours"


def conversation_channel(conversation_id: int) -> str:
    """What the visitor and the staff in a chat may both know."""
    return f"conversation:{conversation_id}"


def staff_thread_channel(conversation_id: int) -> str:
    """What only the staff in a chat may know."""
    return f"conversation:{conversation_id}:staff"


def conversation_of(channel: str) -> int | None:
    """The conversation a channel is about (either of its two channels), else None."""
    kind, _, rest = channel.partition(":")
    if kind != "conversation":
        return None
    return int(rest.partition(":")[0])


def user_channel(user_id: int) -> str:
    """What concerns one staff member, wherever their consoles are connected."""
    return f"user:{user_id}"
