"""The team page (coordinators only): every staff member's discipline, home CLB and chat limit."""

from flask import flash, redirect, render_template, request, url_for

from ..auth import requires
from ..domain import team
from ..domain.errors import DomainError
from ..unit_of_work import reading, unit_of_work
from . import bp


@bp.get("/team")
@requires("coordinator")
def team_page(errors=None, status=200):
    with reading() as session:
        page = render_template("console/team.html", staff=team.staff(session), clbs=team.clbs(session, True),
                               disciplines=team.DISCIPLINE_LABELS, errors=errors or {},
                               max_chats_limit=team.MAX_CHATS_LIMIT)
    return page, status


@bp.post("/team/<int:user_id>")
@requires("coordinator")
def update_member(user_id):
    form = request.form
    try:
        home_clb_id = _optional_int(form.get("home_clb_id"), "home_clb_id")
        max_chats = _optional_int(form.get("max_chats"), "max_chats")
        with unit_of_work() as (session, _outbox):
            user = team.update_profile(session, user_id, form.get("discipline", ""), home_clb_id, max_chats)
            name = user.display_name
    except DomainError as exc:
        status = 404 if exc.code == "not_found" else 422
        return team_page(errors={user_id: {exc.details.get("field"): exc.message}}, status=status)
    flash(f"Profiel van {name} bewaard.")
    return redirect(url_for("console.team_page"))


def _optional_int(value: str | None, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise DomainError("invalid", "Geef een geheel getal.", field=field)
    return int(value)
