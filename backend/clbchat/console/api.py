"""The console's JSON API: registrations after a chat, and the coded lists (read by every counsellor,
changed by coordinators only). Requests become domain calls; DomainErrors become 4xx answers that name
the field. Authenticated by the login session; POST/PUT/PATCH carry the CSRF token (X-CSRFToken).
"""

from datetime import UTC, datetime

from flask import g, jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from ..auth import requires
from ..domain import code_lists, permissions, registration
from ..domain.errors import DomainError
from ..domain.registration import RegistrationInput
from ..models import Conversation
from ..models.registration import CODE_LISTS
from ..schemas import parse_json
from ..unit_of_work import reading, unit_of_work
from . import bp
from .api_schemas import (
    ListOut,
    OpenRegistrationOut,
    OptionChangeIn,
    OptionIn,
    RegistrationIn,
    RegistrationOut,
)

_registration_in, _registration_out = RegistrationIn(), RegistrationOut()
_option_in, _option_change_in, _list_out = OptionIn(), OptionChangeIn(), ListOut()
_open_out = OpenRegistrationOut(many=True)
BODY_MAX = 16 * 1024
# How a domain error code answers over HTTP.
STATUS = {"invalid": 422, "not_found": 404, "not_your_chat": 403, "edit_window_closed": 403,
          "wrong_state": 409, "already_registered": 409, "code_taken": 409}


def _error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


def _domain_error(exc: DomainError):
    field = exc.details.get("field")
    extra = {"fields": {field: [exc.message]}} if field else {}
    return _error(STATUS.get(exc.code, 400), exc.code, exc.message, **extra)


def _load(schema, partial=False):
    """The request's JSON body through `schema`; raises _BadRequest with the answer to give."""
    request.max_content_length = BODY_MAX
    try:
        payload = parse_json(request.get_data(cache=False)) if request.is_json else None
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise _BadRequest(_error(400, "bad_json", "Stuur een JSON-object."))
    try:
        return schema.load(payload, partial=partial)
    except ValidationError as exc:
        fields = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}
        first = next(iter(fields.values()))[0]
        raise _BadRequest(_error(422, "invalid", str(first), fields=fields)) from None


class _BadRequest(Exception):
    def __init__(self, response):
        self.response = response


@bp.errorhandler(_BadRequest)
def _bad_request(exc: _BadRequest):
    return exc.response


@bp.errorhandler(DomainError)
def _on_domain_error(exc: DomainError):
    return _domain_error(exc)


def _now() -> datetime:
    return datetime.now(UTC)


# --- lists ------------------------------------------------------------------------------------

@bp.get("/api/lists")
@requires(api=True)
def lists():
    with reading() as session:
        snapshots = [code_lists.snapshot(session, name) for name in CODE_LISTS]
        body = {s.name: _list_view(s) for s in snapshots}
    body["topic_groups"] = code_lists.TOPIC_GROUPS
    return jsonify(body)


@bp.post("/api/lists/<name>/options")
@requires("coordinator", api=True)
def add_option(name):
    data = _load(_option_in)
    with unit_of_work() as (session, _outbox):
        code_lists.add_option(session, name, data["code"], data["label"], data["group_code"], _now())
        body = _list_view(code_lists.snapshot(session, name))
    return jsonify(body), 201


@bp.patch("/api/lists/<name>/options/<code>")
@requires("coordinator", api=True)
def change_option(name, code):
    data = _load(_option_change_in)
    if not data or ("retired" in data and len(data) > 1):
        raise _BadRequest(_error(422, "invalid", "Wijzig de naam (label, group_code) of zet retired op true.",
                                 fields={"retired": ["Niet samen met een nieuwe naam."]}))
    with unit_of_work() as (session, _outbox):
        if data.get("retired"):
            code_lists.retire_option(session, name, code, _now())
        else:
            current = code_lists.snapshot(session, name)
            option = next((o for o in current.options if o.code == code), None)
            if option is None:
                raise DomainError("not_found", "Deze optie bestaat niet.", field="code")
            code_lists.rename_option(session, name, code, data.get("label", option.label),
                                     data.get("group_code", option.group_code), _now())
        body = _list_view(code_lists.snapshot(session, name))
    return jsonify(body)


def _list_view(snapshot: code_lists.ListSnapshot) -> dict:
    return _list_out.dump({"name": snapshot.name, "version": snapshot.version, "options": [
        {"code": o.code, "label": o.label, "group_code": o.group_code, "retired": o.retired_in is not None}
        for o in snapshot.options]})


# --- registrations ------------------------------------------------------------------------------

@bp.get("/api/registrations/open")
@requires(api=True)
def open_registrations():
    with reading() as session:
        return jsonify(_open_out.dump(registration.open_registrations(session, g.user)))


@bp.get("/api/conversations/<int:conversation_id>/registration")
@requires(api=True)
def get_registration(conversation_id):
    """The registration, or (404 with a `draft`) what the form opens with."""
    # A unit of work: a coordinator reading a colleague's registration is written in the audit log.
    with unit_of_work() as (session, _outbox):
        try:
            return jsonify(_registration_out.dump(registration.view(
                registration.get_visible(session, conversation_id, g.user, _now()))))
        except DomainError as exc:
            if exc.code != "not_found":
                raise
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or not permissions.may_register(g.user, conversation.counsellor_id):
                raise
            return _error(404, "not_found", exc.message, draft=registration.draft(conversation))


@bp.post("/api/conversations/<int:conversation_id>/registration")
@requires(api=True)
def create_registration(conversation_id):
    data = RegistrationInput(**_load(_registration_in))
    try:
        with unit_of_work() as (session, _outbox):
            saved = registration.register(session, conversation_id, g.user, data, _now())
            body = _registration_out.dump(registration.view(saved))
    except IntegrityError:  # a second save that raced this one and committed first
        return _error(409, "already_registered", "Dit gesprek is al geregistreerd.")
    return jsonify(body), 201


@bp.put("/api/conversations/<int:conversation_id>/registration")
@requires(api=True)
def correct_registration(conversation_id):
    data = RegistrationInput(**_load(_registration_in))
    with unit_of_work() as (session, _outbox):
        saved = registration.correct(session, conversation_id, g.user, data, _now())
        body = _registration_out.dump(registration.view(saved))
    return jsonify(body)
