"""The audit log page (coordinators only): who saw or did what with a chat, filtered by chat or by
person, newest first; read-only (domain/audit.py)."""

from flask import render_template, request

from ..auth import requires
from ..domain import audit, team
from ..unit_of_work import reading
from . import bp


@bp.get("/audit")
@requires("coordinator")
def audit_page():
    conversation_id = _positive(request.args.get("chat"))
    actor_id = _positive(request.args.get("person"))
    before_id = _positive(request.args.get("before"))
    with reading() as session:
        entries = audit.entries(session, conversation_id=conversation_id, actor_id=actor_id, before_id=before_id)
        page = render_template("console/audit.html", entries=entries, staff=team.staff(session),
                               chat=conversation_id, person=actor_id, page_size=audit.PAGE,
                               bad_filter=any(request.args.get(k) and _positive(request.args.get(k)) is None
                                              for k in ("chat", "person", "before")))
    return page


def _positive(value: str | None) -> int | None:
    """A filter from the address: a whole number from 1 up (ids fit PostgreSQL's integer), else none."""
    value = (value or "").strip()
    if not value.isdigit() or not 0 < int(value) < 2**31:
        return None
    return int(value)
