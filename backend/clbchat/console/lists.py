"""The lists page (coordinators only): the topics and results a registration is filled from. Add an
option, rename one, or retire one; each change makes a new version of that list (domain/code_lists.py)."""

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for

from ..auth import requires
from ..domain import code_lists
from ..domain.errors import DomainError
from ..models.registration import CODE_LISTS
from ..unit_of_work import reading, unit_of_work
from . import bp

LIST_TITLES = {"topics": "Thema's", "results": "Resultaten"}


@bp.get("/lists")
@requires("coordinator")
def lists_page(error=None, status=200):
    with reading() as session:
        page = render_template("console/lists.html", lists=[code_lists.snapshot(session, n) for n in CODE_LISTS],
                               titles=LIST_TITLES, groups=code_lists.TOPIC_GROUPS, error=error)
    return page, status


@bp.post("/lists/<name>")
@requires("coordinator")
def change_list(name):
    form, now = request.form, datetime.now(UTC)
    action, code = form.get("action"), form.get("code", "").strip()
    group = form.get("group_code") or None
    try:
        with unit_of_work() as (session, _outbox):
            if action == "add":
                code_lists.add_option(session, name, code, form.get("label", ""), group, now)
                done = f"Optie '{code}' toegevoegd."
            elif action == "rename":
                code_lists.rename_option(session, name, code, form.get("label", ""), group, now)
                done = f"Optie '{code}' hernoemd."
            elif action == "retire":
                code_lists.retire_option(session, name, code, now)
                done = f"Optie '{code}' uit gebruik genomen."
            else:
                raise DomainError("invalid", "Onbekende actie.", field="action")
    except DomainError as exc:
        status = 404 if exc.code == "not_found" else 409 if exc.code in ("code_taken", "wrong_state") else 422
        return lists_page(error={"list": name, "code": code, "field": exc.details.get("field"),
                                 "message": exc.message}, status=status)
    flash(done)
    return redirect(url_for("console.lists_page"))
