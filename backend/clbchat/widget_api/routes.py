"""Routes for host pages: /api/sites/<slug>/..., /chat/<slug> (the widget's files: widget_files.py)."""

import json
import re
from datetime import UTC, datetime

from flask import abort, current_app, render_template, request, url_for
from marshmallow import ValidationError

from ..domain import blocks, queue
from ..schemas import REQUEST_BODY_MAX, ChatRequestIn, ChatRequestOut, is_storable, parse_json
from ..unit_of_work import unit_of_work
from . import bp
from .cors import allow_origin, check_site_and_origin, error
from .status import status_answer, status_body

_request_in, _request_out = ChatRequestIn(), ChatRequestOut()
REF_PATTERN = re.compile(r"[a-z0-9-]{1,40}")
SLUG_MAX = 40  # the column's length


def _site_and_origin(slug: str, require_origin: bool):
    """check_site_and_origin, but a name no site can have is unknown without a query: longer than the
    column, or with NUL (PostgreSQL refuses to even compare it) or a lone surrogate (from %ED%A0%80)."""
    if len(slug) > SLUG_MAX or not is_storable(slug):
        return None, error(404, "unknown_site", "Onbekende site.")
    return check_site_and_origin(slug, require_origin)


@bp.get("/api/sites/<slug>/status")
def status(slug):
    # Usually answered before Flask by status_fast_path; this computes and caches it.
    info, problem = _site_and_origin(slug, require_origin=False)
    if problem:
        return problem
    now = datetime.now(UTC)
    body = status_body(info, current_app.extensions["clbchat.schedule"], current_app.config["CHAT_ALTERNATIVES"],
                       now)
    code, headers, payload = status_answer(body, now, request.headers.get("Origin"), request.environ)
    return current_app.response_class(payload, status=code, headers=headers)


@bp.route("/api/sites/<slug>/conversations", methods=["OPTIONS"])
def conversations_preflight(slug):
    info, problem = _site_and_origin(slug, require_origin=True)
    if problem:
        return problem
    response = current_app.response_class(status=204)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return allow_origin(response)


@bp.post("/api/sites/<slug>/conversations")
def request_chat(slug):
    info, problem = _site_and_origin(slug, require_origin=True)
    if problem:
        return problem
    request.max_content_length = REQUEST_BODY_MAX  # a larger body is a 413, unread
    try:
        payload = parse_json(request.get_data(cache=False)) if request.is_json else None
    except ValueError:  # also bytes that are not UTF-8
        payload = None
    if not isinstance(payload, dict):
        return allow_origin(error(400, "bad_json", "Stuur een JSON-object."))
    try:
        data = _request_in.load(payload)
    except ValidationError as exc:
        fields = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}
        first = next(iter(fields.values()))[0]
        return allow_origin(error(422, "invalid", str(first), fields=fields))
    now = datetime.now(UTC)
    until = blocks.blocked_until(current_app.extensions["clbchat.store"], data["block"])
    if until is not None and until > now:  # not an error for the visitor: the widget says it kindly
        return allow_origin(error(403, "blocked", "Je kan de chat een tijdje niet gebruiken. Wil je toch met "
                                  "iemand praten? Deze diensten helpen je graag.", until=until.isoformat(),
                                  alternatives=current_app.config["CHAT_ALTERNATIVES"]))
    if not current_app.extensions["clbchat.schedule"].is_open(now):
        return allow_origin(error(409, "closed", "De chat is nu gesloten."))
    with queue.admission_turn, unit_of_work() as (session, outbox):
        result = queue.request_chat(session, info["id"], data["nickname"], data["visitor_role"], data["ref"],
                                    current_app.config["QUEUE_MAX"], now, outbox)
    if result.token is None:
        return allow_origin(error(409, "queue_full", "Het is nu erg druk. Probeer het later opnieuw, of neem "
                                  "contact op met een van deze diensten.",
                                  alternatives=current_app.config["CHAT_ALTERNATIVES"]))
    body = _request_out.dump({"conversation_id": result.conversation_id, "token": result.token,
                              "status": "waiting"})
    response = current_app.response_class(json.dumps(body), status=201, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return allow_origin(response)


@bp.get("/chat/<slug>")
def hosted_chat(slug):
    info, problem = _site_and_origin(slug, require_origin=False)
    if problem:  # a page people open: the Dutch error page (__init__.py), not the API's JSON
        abort(problem.status_code)
    ref = request.args.get("ref")
    if ref is not None and not REF_PATTERN.fullmatch(ref):
        ref = None  # a malformed partner name is ignored, not an error for the visitor
    return render_template("chat_page.html", site_slug=info["slug"], site_name=info["name"], ref=ref,
                           widget_src=url_for("widget_api.widget_loader", _external=True))
