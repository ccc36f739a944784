"""Marshmallow schemas for every payload that crosses the wire, in and out (docs/protocol.md).

Inbound schemas reject unknown fields; outbound schemas fix the shape clients rely on.
"""

from marshmallow import EXCLUDE, RAISE, Schema, fields, pre_load, validate

from .domain.conversations import COMMENT_MAX

VISITOR_ROLES = ("pupil", "parent", "other")


class Inbound(Schema):
    class Meta:
        unknown = RAISE


# --- HTTP -------------------------------------------------------------------------------------

class ChatRequestIn(Inbound):
    nickname = fields.Str(required=True, validate=validate.Length(
        2, 24, error="Kies een nickname van 2 tot 24 tekens."))
    visitor_role = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(VISITOR_ROLES))
    ref = fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[a-z0-9-]{1,40}$", error="ref: kleine letters, cijfers en '-', hoogstens 40 tekens."))

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


class ClientId(fields.Str):
    def __init__(self, **kwargs):
        super().__init__(required=True, validate=validate.Length(1, 64), **kwargs)


class HelloIn(Frame):
    token = fields.Str(required=True, validate=validate.Length(1, 200))
    after_seq = fields.Int(load_default=0, validate=validate.Range(min=0))


class VisitorMessageIn(Frame):
    client_id = ClientId()
    # Length is checked by the domain so an over-long message gets its own error code (too_long).
    text = fields.Str(required=True, validate=validate.Length(min=1, error="Een leeg bericht kan niet."))


class TypingIn(Frame):
    active = fields.Bool(required=True)


class LeaveIn(Frame):
    reason = fields.Str(load_default="left", validate=validate.OneOf(("left", "quick_exit")))


class RateIn(Frame):
    stars = fields.Int(required=True, strict=True, validate=validate.Range(1, 5, error="Geef 1 tot 5 sterren."))
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(
        max=COMMENT_MAX, error=f"Je opmerking mag hoogstens {COMMENT_MAX} tekens lang zijn."))


class PingIn(Frame):
    pass


class TakeIn(Frame):
    conversation_id = fields.Int(load_default=None, allow_none=True, strict=True)


class ConsoleMessageIn(Frame):
    conversation_id = fields.Int(required=True, strict=True)
    client_id = ClientId()
    text = fields.Str(required=True, validate=validate.Length(min=1, error="Een leeg bericht kan niet."))


class ConsoleTypingIn(Frame):
    conversation_id = fields.Int(required=True, strict=True)
    active = fields.Bool(required=True)


class EndIn(Frame):
    conversation_id = fields.Int(required=True, strict=True)


class SyncIn(Frame):
    conversation_id = fields.Int(required=True, strict=True)
    after_seq = fields.Int(load_default=0, validate=validate.Range(min=0))


VISITOR_IN = {"hello": HelloIn(), "message": VisitorMessageIn(), "typing": TypingIn(), "leave": LeaveIn(),
              "rate": RateIn(), "ping": PingIn()}
CONSOLE_IN = {"take": TakeIn(), "message": ConsoleMessageIn(), "typing": ConsoleTypingIn(), "end": EndIn(),
              "sync": SyncIn(), "ping": PingIn()}


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
    site = fields.Str()  # the name of the site the visitor came from
    ref = fields.Str(allow_none=True)  # the partner link they used, if any
    messages = fields.List(fields.Nested(MessageOut(exclude=("type",))))


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
    """The chat is no longer this counsellor's: it went back to the queue (logout, or away too long)."""

    conversation_id = fields.Int()


class PongOut(Outbound):
    pass
