"""The snippets page: every counsellor keeps their own snippets; coordinators also keep the shared
library (referral texts, partners' contact details and when those were last checked)."""

from datetime import UTC, date, datetime

from flask import flash, g, redirect, render_template, request, url_for

from ..auth import requires
from ..domain import code_lists, permissions, snippets
from ..domain.errors import DomainError
from ..domain.snippets import SnippetInput
from ..unit_of_work import reading, unit_of_work
from . import bp

FIELDS = ("title", "body", "category", "partner_name", "partner_phone", "partner_url", "last_checked",
          "result_code")


@bp.get("/snippets")
@requires()
def snippets_page(error=None, status=200):
    today = datetime.now(UTC).date()
    with reading() as session:
        mine = [snippets.view(s, today) for s in snippets.visible(session, g.user)]
        results = code_lists.snapshot(session, "results")
        page = render_template("console/snippets.html", snippets=mine, error=error or {},
                               coordinator=permissions.is_coordinator(g.user),
                               results=[o for o in results.options if o.retired_in is None], today=today)
    return page, status


@bp.post("/snippets")
@requires()
def page_create_snippet():
    try:
        data = _form_input()
        with unit_of_work() as (session, _outbox):
            created = snippets.create(session, g.user, data, request.form.get("library") == "1", _now())
            title = created.title
    except DomainError as exc:
        return _refused(exc, "new")
    flash(f"Snippet '{title}' bewaard.")
    return redirect(url_for("console.snippets_page"))


@bp.post("/snippets/<int:snippet_id>")
@requires()
def page_change_snippet(snippet_id):
    action = request.form.get("action")
    try:
        with unit_of_work() as (session, _outbox):
            if action == "retire":
                snippets.retire(session, snippet_id, g.user, _now())
                done = "Snippet niet meer aangeboden."
            elif action == "checked":  # the partner's details were checked today
                snippets.change(session, snippet_id, g.user, SnippetInput(last_checked=_now().date()),
                                {"last_checked"}, _now())
                done = "Gegevens als gecontroleerd gemarkeerd."
            elif action == "save":
                snippets.change(session, snippet_id, g.user, _form_input(), set(FIELDS), _now())
                done = "Snippet bewaard."
            else:
                raise DomainError("invalid", "Onbekende actie.", field="action")
    except DomainError as exc:
        return _refused(exc, snippet_id)
    flash(done)
    return redirect(url_for("console.snippets_page"))


def _form_input() -> SnippetInput:
    form = request.form
    values = {name: form.get(name) for name in FIELDS}
    checked = (values.pop("last_checked") or "").strip()
    try:
        last_checked = date.fromisoformat(checked) if checked else None
    except ValueError:
        raise DomainError("invalid", "Een datum als 2026-12-02.", field="last_checked") from None
    return SnippetInput(**{k: v if v is None else str(v) for k, v in values.items()}, last_checked=last_checked)


def _refused(exc: DomainError, which):
    status = {"not_found": 404, "forbidden": 403}.get(exc.code, 422)
    return snippets_page(error={"which": which, "field": exc.details.get("field"), "message": exc.message},
                         status=status)


def _now() -> datetime:
    return datetime.now(UTC)
