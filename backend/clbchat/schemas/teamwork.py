"""The console's frames for working as a team (docs/protocol.md, "Working as a team"): hand-over offers
and answers, the staff thread of a chat, and the colleagues online."""

from marshmallow import Schema, fields, validate

from ..domain.handover import GROUPS, NOTE_MAX
from . import ClientId, Frame, Id, Outbound, Text


class HandOverIn(Frame):
    conversation_id = Id(required=True)
    to_user_id = Id(load_default=None, allow_none=True)
    to_group = Text(load_default=None, allow_none=True, validate=validate.OneOf(tuple(GROUPS)))
    # Checked by the domain too (an empty note has its own message); bounded here like every text.
    note = Text(required=True, validate=validate.Length(max=NOTE_MAX))


class HandOverAnswerIn(Frame):
    handover_id = Id(required=True)


class WhisperIn(Frame):
    conversation_id = Id(required=True)
    client_id = ClientId()
    text = Text(required=True, validate=validate.Length(min=1, error="Een leeg bericht kan niet."))


class ChatIdIn(Frame):
    conversation_id = Id(required=True)


TEAMWORK_IN = {"hand_over": HandOverIn(), "handover_accept": HandOverAnswerIn(),
               "handover_decline": HandOverAnswerIn(), "handover_cancel": HandOverAnswerIn(),
               "whisper": WhisperIn(), "watch": ChatIdIn(), "join": ChatIdIn(), "leave": ChatIdIn(),
               "ask_help": ChatIdIn()}


class StaffMessageOut(Outbound):
    conversation_id = fields.Int()
    seq = fields.Int()  # the staff thread's own numbering
    kind = fields.Str()  # whisper | note (a hand-over note) | event (from the service)
    author = fields.Str(allow_none=True)
    text = fields.Str()
    client_id = fields.Str()
    sent_at = fields.Str()


class OpenHandOverOut(Schema):
    """An offer this console made and that still stands."""

    id = fields.Int()
    to = fields.Str()  # the colleague's name, or the group ("verpleegkundige of arts")
    expires_at = fields.DateTime()


class ColleagueOut(Schema):
    id = fields.Int()
    display_name = fields.Str()
    discipline = fields.Str()
    discipline_label = fields.Str()
    open_chats = fields.Int()
    max_chats = fields.Int()


class ColleaguesOut(Outbound):
    colleagues = fields.List(fields.Nested(ColleagueOut))


class OfferOut(Schema):
    id = fields.Int()
    conversation_id = fields.Int()
    sender = fields.Str()
    sender_discipline = fields.Str()
    to = fields.Str()
    note = fields.Str()
    offered_at = fields.DateTime()
    expires_at = fields.DateTime()
    chat = fields.Nested("ChatOut")  # the transcript and the visitor's side, to read before accepting
    draft = fields.Dict()  # the registration form's draft (domain/registration.py: draft)


class HandOverOfferOut(Outbound):
    offer = fields.Nested(OfferOut)


class HandOverAnswerOut(Outbound):
    """To the sender: offered, accepted, declined (a named colleague), declined_by (one of a group), expired,
    cancelled."""

    handover_id = fields.Int()
    conversation_id = fields.Int()
    outcome = fields.Str()
    by = fields.Str(allow_none=True)
    to = fields.Str()  # with "offered": whom it is offered to
    expires_at = fields.Str()  # with "offered"


class HandOverClosedOut(Outbound):
    """To every console that shows the offer: it no longer stands."""

    handover_id = fields.Int()
    conversation_id = fields.Int()
    outcome = fields.Str(allow_none=True)


class StaffInOut(Outbound):
    """The coordinators looking on (watcher) or taking part (joined) in a chat, now."""

    conversation_id = fields.Int()
    staff = fields.List(fields.Dict())


class OverviewChatOut(Schema):
    id = fields.Int()
    nickname = fields.Str(allow_none=True)
    visitor_role = fields.Str(allow_none=True)
    picked_up_at = fields.DateTime(allow_none=True)
    crisis = fields.Bool()
    handover_pending = fields.Bool()
    counsellor_id = fields.Int()
    counsellor = fields.Str()
    discipline_label = fields.Str()
    watchers = fields.List(fields.Str())


class OverviewOut(Outbound):
    """To coordinators: every active chat, and how many answered chats wait for their registration."""

    chats = fields.List(fields.Nested(OverviewChatOut))
    unregistered = fields.Int()


class HelpOut(Outbound):
    """To coordinators: a counsellor asks for help in a chat."""

    conversation_id = fields.Int()
    counsellor = fields.Str()
    nickname = fields.Str(allow_none=True)
    asked_at = fields.Str()


class HelpSentOut(Outbound):
    conversation_id = fields.Int()
    coordinators = fields.Int()  # how many were alerted
