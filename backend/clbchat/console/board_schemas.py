"""Wire formats of the console's board (prikbord) API, in and out (docs/protocol.md)."""

from marshmallow import Schema, fields, pre_load, validate

from ..domain.board import BODY_MAX, NICKNAME_MAX
from ..schemas import Inbound, Text

_NOT_TEXT = "Geen tekst."


class BoardNoteIn(Inbound):
    """A new note: the nickname the chatter used (optional) and the pattern and how to handle it.
    Both are trimmed before they are measured; an empty nickname is none."""

    nickname = Text(load_default=None, allow_none=True, validate=validate.Length(
        max=NICKNAME_MAX, error=f"Hoogstens {NICKNAME_MAX} tekens."), error_messages={"invalid": _NOT_TEXT})
    body = Text(required=True, validate=validate.Length(1, BODY_MAX, error=f"1 tot {BODY_MAX} tekens."),
                error_messages={"required": "Schrijf het patroon en hoe je ermee omgaat.",
                                "null": "Schrijf het patroon en hoe je ermee omgaat.", "invalid": _NOT_TEXT})

    @pre_load
    def trim(self, data, **_):
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("nickname"), str):
                data["nickname"] = " ".join(data["nickname"].split()) or None
            if isinstance(data.get("body"), str):
                data["body"] = data["body"].strip()
        return data


class BoardNoteOut(Schema):
    id = fields.Int()
    nickname = fields.Str(allow_none=True)
    body = fields.Str()
    author = fields.Str()  # the author's display name
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    removable = fields.Bool()  # you may take it down: your own note, or any note for a coordinator


class BoardOut(Schema):
    days = fields.Int()  # BOARD_DAYS: how long a note stays
    notes = fields.List(fields.Nested(BoardNoteOut))
