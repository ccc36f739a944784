"""Wire formats of the console's JSON API (registration, lists), in and out (docs/protocol.md)."""

from marshmallow import Schema, fields, validate

from ..domain.code_lists import LABEL_MAX
from ..domain.registration import AGE_MAX, AGE_MIN, CODES_MAX, NOTE_MAX
from ..models.registration import VISITOR_TYPES
from ..schemas import Inbound, Text

Code = Text(validate=validate.Length(1, 40))


def Flag(**kwargs):  # noqa: N802 - a field, like the others
    """A JSON true or false, nothing else ("yes", 1 and "true" are refused)."""
    return fields.Bool(truthy={True}, falsy={False}, **kwargs)


class RegistrationIn(Inbound):
    visitor_type = Text(required=True, validate=validate.OneOf(VISITOR_TYPES))
    age = fields.Int(load_default=None, allow_none=True, strict=True, validate=validate.Range(AGE_MIN, AGE_MAX))
    topics = fields.List(Code, load_default=list, validate=validate.Length(max=CODES_MAX))
    results = fields.List(Code, load_default=list, validate=validate.Length(max=CODES_MAX))
    prank = Flag(load_default=False)
    crisis = Flag(load_default=False)
    note = Text(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))


class OptionIn(Inbound):
    code = Text(required=True, validate=validate.Length(1, 40))
    label = Text(required=True, validate=validate.Length(1, LABEL_MAX))
    group_code = Text(load_default=None, allow_none=True, validate=validate.Length(1, 40))


class OptionChangeIn(Inbound):
    """A rename (label, group) or retiring (`retired: true`); not both at once."""

    label = Text(validate=validate.Length(1, LABEL_MAX))
    group_code = Text(allow_none=True, validate=validate.Length(1, 40))
    retired = Flag(validate=validate.Equal(True))


class RegistrationOut(Schema):
    conversation_id = fields.Int()
    counsellor_id = fields.Int()
    visitor_type = fields.Str()
    age = fields.Int(allow_none=True)
    topics = fields.List(fields.Str())
    results = fields.List(fields.Str())
    prank = fields.Bool()
    crisis = fields.Bool()
    note = fields.Str(allow_none=True)
    topics_version = fields.Int()
    results_version = fields.Int()
    created_at = fields.Str()
    updated_at = fields.Str()
    updated_by = fields.Int()


class OptionOut(Schema):
    code = fields.Str()
    label = fields.Str()
    group_code = fields.Str(allow_none=True)
    retired = fields.Bool()


class ListOut(Schema):
    name = fields.Str()
    version = fields.Int()
    options = fields.List(fields.Nested(OptionOut))


class OpenRegistrationOut(Schema):
    conversation_id = fields.Int()
    nickname = fields.Str(allow_none=True)
    visitor_role = fields.Str(allow_none=True)
    ended_at = fields.DateTime()
    counsellor_id = fields.Int()
    counsellor = fields.Str()
