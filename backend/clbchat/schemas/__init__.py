"""Marshmallow schemas for every payload that crosses the wire, in and out (docs/protocol.md), and
the JSON parsing in front of them.

Inbound schemas reject unknown fields; outbound schemas fix the shape clients rely on. Every inbound
string and number is checked here, so nothing that reaches the domain can fail to be stored: text is
valid Unicode without NUL, integers fit the database's columns.
"""

import json
import math
import re

from marshmallow import EXCLUDE, RAISE, Schema, fields, pre_load, validate

from ..domain.conversations import COMMENT_MAX, MESSAGE_MAX

VISITOR_ROLES = ("pupil", "parent", "other")
# PostgreSQL `integer`, the type of ids and seqs: a larger number can name nothing that exists.
INT_MAX = 2**31 - 1
CLIENT_ID_MAX = 64
# The largest WebSocket text frame accepted, in characters (simple-websocket counts the decoded text;
# a larger frame closes the socket with 1009). It must hold every valid frame in any JSON encoding. The
# largest is a console `message`: 2000 characters of text and 64 of client id, each character, in
# the worst case an emoji escaped as two `\uXXXX` halves, 12 characters, and every key escaped too:
# 24,002 + 770 + ~270 for the rest, about 25,100 (tests/integration/test_bad_input.py builds it).
# The margin is for whitespace between tokens.
FRAME_MAX = 32 * 1024
assert FRAME_MAX > 12 * (MESSAGE_MAX + CLIENT_ID_MAX) + 1024
# A chat request's body (nickname, role, ref: under 1 KB however encoded).
REQUEST_BODY_MAX = 8 * 1024

_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def parse_json(raw: str | bytes):
    """json.loads for untrusted input: ValueError for anything that is not plain JSON, including
    NaN/Infinity and overflowing numbers (which no field accepts) and nesting too deep to parse."""
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("nested too deep") from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def printable(text: str) -> str:
    """The text with lone surrogates replaced, so that it can be encoded (for echoing input back)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def is_storable(text: str) -> bool:
    """False for text with NUL or a lone surrogate, which the database cannot take."""
    return not _BAD_CHARACTER.search(text)


class Text(fields.Str):
    r"""A string that can be stored and sent on: no lone UTF-16 surrogate (valid JSON, `"\ud800"`, but
    not Unicode text, which UTF-8 and the database refuse) and no NUL (PostgreSQL text refuses it)."""

    default_error_messages = {"bad_character": "Bevat een ongeldig teken (NUL of een losse UTF-16-surrogaat)."}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not is_storable(text):
            raise self.make_error("bad_character")
        return text


class Id(fields.Int):
    """A row id: a JSON integer (not "5", 5.5 or true) that can exist."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, validate=validate.Range(1, INT_MAX), **kwargs)


class Seq(fields.Int):
    """A message seq the client has (0: none)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, load_default=0, validate=validate.Range(0, INT_MAX), **kwargs)


class Inbound(Schema):
    class Meta:
        unknown = RAISE


# --- HTTP -------------------------------------------------------------------------------------

class ChatRequestIn(Inbound):
    nickname = Text(required=True, validate=validate.Length(
        2, 24, error="Kies een nickname van 2 tot 24 tekens."))
    visitor_role = Text(load_default=None, allow_none=True, validate=validate.OneOf(VISITOR_ROLES))
    ref = Text(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[a-z0-9-]{1,40}$", error="ref: kleine letters, cijfers en '-', hoogstens 40 tekens."))
    # The marker of an earlier block of this browser session, from the widget's sessionStorage.
    block = Text(load_default=None, allow_none=True, validate=validate.Length(max=64))

    @pre_load
    def strip_text(self, data, **_):
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("nickname"), str):
                data["nickname"] = " ".join(data["nickname"].split())
            if data.get("visitor_role") == "":
                data["visitor_role"] = None
            if data.get("ref") == "":
                data["ref"] = None
        return data


class ChatRequestOut(Schema):
    conversation_id = fields.Int()
    token = fields.Str()
    status = fields.Str()


class AlternativeOut(Schema):
    name = fields.Str()
    contact = fields.Str()
    url = fields.Str(allow_none=True)


class DayOut(Schema):
    date = fields.Date()
    day = fields.Str()
    hours = fields.List(fields.Tuple((fields.Str(), fields.Str())))


class SiteOut(Schema):
    slug = fields.Str()
    name = fields.Str()
    hide_when_closed = fields.Bool()


class StatusOut(Schema):
    site = fields.Nested(SiteOut)
    open = fields.Bool()
    next_change = fields.DateTime(allow_none=True)
    next_open_text = fields.Str(allow_none=True)
    week = fields.List(fields.Nested(DayOut))
    alternatives = fields.List(fields.Nested(AlternativeOut))


# --- WebSocket, both directions ------------------------------------------------------------

class Frame(Inbound):
    type = fields.Str(required=True)


class ClientId(Text):
    def __init__(self, **kwargs):
        super().__init__(required=True, validate=validate.Length(1, CLIENT_ID_MAX), **kwargs)


class HelloIn(Frame):
    token = Text(required=True, validate=validate.Length(1, 200))
    after_seq = Seq()


class VisitorMessageIn(Frame):
    client_id = ClientId()
    # Length is checked by the domain so an over-long message gets its own error code (too_long).
    text = Text(required=True, validate=validate.Length(min=1, error="Een leeg bericht kan niet."))


class TypingIn(Frame):
    active = fields.Bool(required=True)


class LeaveIn(Frame):
    reason = Text(load_default="left", validate=validate.OneOf(("left", "quick_exit")))


class RateIn(Frame):
    stars = fields.Int(required=True, strict=True, validate=validate.Range(1, 5, error="Geef 1 tot 5 sterren."))
    comment = Text(load_default=None, allow_none=True, validate=validate.Length(
        max=COMMENT_MAX, error=f"Je opmerking mag hoogstens {COMMENT_MAX} tekens lang zijn."))


class PingIn(Frame):
    pass


class TakeIn(Frame):
    conversation_id = Id(load_default=None, allow_none=True)


class ConsoleMessageIn(Frame):
    conversation_id = Id(required=True)
    client_id = ClientId()
    text = Text(required=True, validate=validate.Length(min=1, error="Een leeg bericht kan niet."))


class ConsoleTypingIn(Frame):
    conversation_id = Id(required=True)
    active = fields.Bool(required=True)


class EndIn(Frame):
    conversation_id = Id(required=True)
    # End and block the visitor's browser session for this long (domain/blocks.py checks the range).
    block_minutes = fields.Int(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(1, INT_MAX))


class SyncIn(Frame):
    conversation_id = Id(required=True)
    after_seq = Seq()


VISITOR_IN = {"hello": HelloIn(), "message": VisitorMessageIn(), "typing": TypingIn(), "leave": LeaveIn(),
              "rate": RateIn(), "ping": PingIn()}
CONSOLE_IN = {"take": TakeIn(), "message": ConsoleMessageIn(), "typing": ConsoleTypingIn(), "end": EndIn(),
              "sync": SyncIn(), "ping": PingIn()}  # and the team's frames, from .teamwork below


class Outbound(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True

    type = fields.Str()


class StateOut(Outbound):
    conversation_id = fields.Int()
    status = fields.Str()
    position = fields.Int(allow_none=True)
    estimate_seconds = fields.Int(allow_none=True)
    counsellor = fields.Str(allow_none=True)
    ended_by = fields.Str(allow_none=True)
    rated = fields.Bool()


class BlockedOut(Outbound):
    """To the visitor whose chat was ended with a block: the marker their widget keeps in sessionStorage
    and sends with its next chat requests, and when the block ends."""

    marker = fields.Str()
    until = fields.DateTime()


class MessageOut(Outbound):
    conversation_id = fields.Int()
    seq = fields.Int()
    sender = fields.Str()
    author = fields.Str(allow_none=True)
    text = fields.Str()
    client_id = fields.Str()
    sent_at = fields.Str()


class VisitorMessageOut(MessageOut):
    class Meta:
        exclude = ("conversation_id",)


class AckOut(Outbound):
    conversation_id = fields.Int()
    client_id = fields.Str()
    seq = fields.Int()


class VisitorAckOut(AckOut):
    class Meta:
        exclude = ("conversation_id",)


class TypingOut(Outbound):
    conversation_id = fields.Int()
    active = fields.Bool()


class VisitorTypingOut(TypingOut):
    class Meta:
        exclude = ("conversation_id",)


class ErrorOut(Outbound):
    code = fields.Str()
    message = fields.Str()
    client_id = fields.Str()
    conversation_id = fields.Int()
    handover_id = fields.Int()
    field = fields.Str()


class QueueEntryOut(Schema):
    id = fields.Int()
    nickname = fields.Str()
    visitor_role = fields.Str(allow_none=True)
    requested_at = fields.DateTime()
    returned = fields.Bool()  # back in the queue because its counsellor was gone; goes first


class ConsoleQueueOut(Outbound):
    waiting = fields.Int()
    head = fields.List(fields.Nested(QueueEntryOut))
    counsellors_online = fields.Int()


class ChatOut(Schema):
    id = fields.Int()
    nickname = fields.Str(allow_none=True)
    visitor_role = fields.Str(allow_none=True)
    status = fields.Str()
    visitor_connected = fields.Bool()
    requested_at = fields.DateTime()
    picked_up_at = fields.DateTime(allow_none=True)
    ended_by = fields.Str(allow_none=True)
    taken_over = fields.Bool()  # a colleague had it before and was gone (domain/requeue.py)
    crisis_at = fields.DateTime(allow_none=True)  # marked as a crisis (domain/crisis.py): the duration aid is quiet
    site = fields.Str()  # the name of the site the visitor came from
    ref = fields.Str(allow_none=True)  # the partner link they used, if any
    messages = fields.List(fields.Nested(MessageOut(exclude=("type",))))
    # The viewer's part (owner, watcher, joined; "viewer" for a hand-over offer's preview), the owner's
    # name, the staff thread (whispers, hand-over notes), the coordinators in it, and this console's
    # standing hand-over offer of it.
    role = fields.Str()
    counsellor = fields.Str(allow_none=True)
    staff_messages = fields.List(fields.Nested("StaffMessageOut", exclude=("type",)))
    staff_in = fields.List(fields.Dict())
    handover = fields.Nested("OpenHandOverOut", allow_none=True)


class ChatEventOut(Outbound):
    chat = fields.Nested(ChatOut)


class CounsellorOut(Schema):
    id = fields.Int()
    display_name = fields.Str()
    role = fields.Str()
    max_chats = fields.Int()


class ConsoleHelloOut(Outbound):
    counsellor = fields.Nested(CounsellorOut)
    chats = fields.List(fields.Nested(ChatOut))


class PresenceOut(Outbound):
    conversation_id = fields.Int()
    visitor_connected = fields.Bool()


class EndedOut(Outbound):
    conversation_id = fields.Int()
    by = fields.Str(allow_none=True)


class ReleasedOut(Outbound):
    """The chat is no longer this counsellor's: back in the queue (logout, or away too long), or handed over."""

    conversation_id = fields.Int()
    reason = fields.Str()  # requeued | handed_over
    to = fields.Str(allow_none=True)  # the colleague's name after a hand-over


class PongOut(Outbound):
    pass


# The console's frames for working as a team (hand-over, the staff thread, colleagues online): their own
# module; importing it also registers the schemas ChatOut names.
from .teamwork import TEAMWORK_IN  # noqa: E402

CONSOLE_IN.update(TEAMWORK_IN)
