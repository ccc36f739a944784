"""Wire formats of the console's snippet and crisis API, in and out (docs/protocol.md)."""

from marshmallow import Schema, fields, validate

from ..domain.snippets import BODY_MAX, CATEGORY_MAX, PARTNER_NAME_MAX, PHONE_MAX, TITLE_MAX, URL_MAX
from ..schemas import Inbound, Text
from .api_schemas import Flag

PHONE = validate.Regexp(r"^\+?[0-9 ]+$", error="Alleen cijfers, spaties en een + vooraan.")
URL = validate.URL(schemes={"http", "https"}, require_tld=True, error="Een adres dat begint met http:// of https://.")


class _SnippetFields(Inbound):
    """Every editable field; SnippetIn makes the text required."""

    title = Text(validate=validate.Length(1, TITLE_MAX))
    body = Text(validate=validate.Length(1, BODY_MAX))
    category = Text(validate=validate.Length(1, CATEGORY_MAX))
    partner_name = Text(allow_none=True, validate=validate.Length(max=PARTNER_NAME_MAX))
    partner_phone = Text(allow_none=True, validate=[validate.Length(max=PHONE_MAX), PHONE])
    partner_url = Text(allow_none=True, validate=[validate.Length(max=URL_MAX), URL])
    last_checked = fields.Date(allow_none=True)  # YYYY-MM-DD: when the partner's details were checked
    result_code = Text(allow_none=True, validate=validate.Length(1, 40))


class SnippetIn(_SnippetFields):
    title = Text(required=True, validate=validate.Length(1, TITLE_MAX))
    body = Text(required=True, validate=validate.Length(1, BODY_MAX))
    category = Text(required=True, validate=validate.Length(1, CATEGORY_MAX))
    library = Flag(load_default=False)  # true: in the shared library (coordinators only)


class SnippetChangeIn(_SnippetFields):
    """Some fields to change, or `retired: true` (not both at once)."""

    retired = Flag(validate=validate.Equal(True))


class SnippetOut(Schema):
    id = fields.Int()
    library = fields.Bool()
    title = fields.Str()
    body = fields.Str()
    category = fields.Str()
    partner_name = fields.Str(allow_none=True)
    partner_phone = fields.Str(allow_none=True)
    partner_url = fields.Str(allow_none=True)
    last_checked = fields.Date(allow_none=True)
    stale = fields.Bool()  # a partner whose details were never checked, or over a year ago
    result_code = fields.Str(allow_none=True)
    updated_at = fields.DateTime()


class CrisisOut(Schema):
    conversation_id = fields.Int()
    crisis_at = fields.DateTime(allow_none=True)
