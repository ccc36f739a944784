"""The console's JSON API for the tools used during a chat: referral snippets (the library and one's
own) and the crisis mark on a chat. Same conventions as api.py: JSON in through marshmallow, the
field named on bad input, CSRF header on every change."""

from datetime import UTC, datetime
from functools import wraps

from flask import g, jsonify, request

from ..auth import requires
from ..domain import crisis, snippets
from ..domain.errors import DomainError
from ..domain.snippets import SnippetInput
from ..unit_of_work import reading, unit_of_work
from . import bp
from .api import STATUS, _BadRequest, _error, _load
from .snippets_schemas import CrisisOut, SnippetChangeIn, SnippetIn, SnippetOut

_snippet_in, _snippet_change_in = SnippetIn(), SnippetChangeIn()
_snippet_out, _snippets_out, _crisis_out = SnippetOut(), SnippetOut(many=True), CrisisOut()
# The domain's "forbidden" (a counsellor touching the library) is the guard's 403.
_STATUS = {**STATUS, "forbidden": 403}


def _answers_domain_errors(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            field = exc.details.get("field")
            extra = {"fields": {field: [exc.message]}} if field else {}
            return _error(_STATUS.get(exc.code, 400), exc.code, exc.message, **extra)

    return wrapped


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/api/snippets")
@requires(api=True)
def list_snippets():
    """The library and the user's own snippets; `?q=` a few letters to find one (best first)."""
    query = request.args.get("q", "")
    if len(query) > 80:
        return _error(422, "invalid", "Zoek met hoogstens 80 tekens.", fields={"q": ["Te lang."]})
    with reading() as session:
        found = snippets.visible(session, g.user)
        if query:
            found = snippets.search(found, query)
        today = _now().date()
        return jsonify(_snippets_out.dump([snippets.view(s, today) for s in found]))


@bp.post("/api/snippets")
@requires(api=True)
@_answers_domain_errors
def create_snippet():
    data = _load(_snippet_in)
    library = data.pop("library")
    with unit_of_work() as (session, _outbox):
        saved = snippets.create(session, g.user, SnippetInput(**data), library, _now())
        body = _snippet_out.dump(snippets.view(saved, _now().date()))
    return jsonify(body), 201


@bp.patch("/api/snippets/<int:snippet_id>")
@requires(api=True)
@_answers_domain_errors
def change_snippet(snippet_id):
    data = _load(_snippet_change_in)
    if not data or ("retired" in data and len(data) > 1):
        raise _BadRequest(_error(422, "invalid", "Wijzig velden of zet retired op true.",
                                 fields={"retired": ["Niet samen met andere wijzigingen."]}))
    with unit_of_work() as (session, _outbox):
        if data.get("retired"):
            saved = snippets.retire(session, snippet_id, g.user, _now())
        else:
            saved = snippets.change(session, snippet_id, g.user, SnippetInput(**data), set(data), _now())
        body = _snippet_out.dump(snippets.view(saved, _now().date()))
    return jsonify(body)


@bp.post("/api/conversations/<int:conversation_id>/crisis")
@requires(api=True)
@_answers_domain_errors
def mark_crisis(conversation_id):
    """The chat's counsellor marks it as a crisis (no body): the duration aid goes quiet, and the
    registration's form opens with crisis ticked."""
    return _crisis(conversation_id, True)


@bp.delete("/api/conversations/<int:conversation_id>/crisis")
@requires(api=True)
@_answers_domain_errors
def unmark_crisis(conversation_id):
    return _crisis(conversation_id, False)


def _crisis(conversation_id: int, on: bool):
    with unit_of_work() as (session, outbox):
        conversation = crisis.mark(session, conversation_id, g.user, on, _now(), outbox)
        body = _crisis_out.dump({"conversation_id": conversation.id, "crisis_at": conversation.crisis_at})
    return jsonify(body)
