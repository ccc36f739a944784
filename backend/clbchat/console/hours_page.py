"""The opening hours page (coordinators only): the schedule now and the coming two weeks, every schedule
version ever saved, a new version previewed over six weeks before it is saved ("Voorbeeld", then
"Bewaren"), and one-off closed or open days (domain/schedule_changes.py). A saved change reaches every
worker at once through `hours_changed` (live_schedule.py)."""

from datetime import UTC, datetime, timedelta

from flask import current_app, flash, g, redirect, render_template, request, url_for

from ..auth import requires
from ..domain import schedule_changes
from ..domain.errors import DomainError
from ..domain.hours import long_date
from ..domain.opening_days import HoursConfig, load_timeline
from ..unit_of_work import reading, unit_of_work
from . import bp

COMING_DAYS = 14
PAST_DAYS_SHOWN = 100


@bp.get("/hours")
@requires("coordinator")
def hours_page(preview=None, version_form=None, day_form=None, errors=None, status=200):
    config = _config()
    today = datetime.now(config.tz).date()
    with reading() as session:
        timeline = load_timeline(session, config, first=today - timedelta(days=1))
        versions = schedule_changes.versions(session)
        in_force = timeline.version_on(today)
        coming = schedule_changes.one_off_days(session, first=today)
        past = [d for d in schedule_changes.one_off_days(session) if d.day < today][-PAST_DAYS_SHOWN:][::-1]
        now = datetime.now(UTC)
        state = timeline.state(now)
        page = render_template(
            "console/hours.html", config=config, today=today, state=state, now=now,
            next_open_text=state.next_open_text(now), coming_days=timeline.planned_days(
                today, today + timedelta(days=COMING_DAYS - 1)),
            versions=versions, in_force_id=in_force.id, statuses=_statuses(versions, in_force.id, today),
            one_off_days=coming, past_days=past, preview=preview, long_date=long_date,
            version_form=version_form or {"expression": in_force.expression,
                                          "effective_from": (today + timedelta(days=1)).isoformat()},
            day_form=day_form or {"kind": "closed"}, errors=errors or {}, weeks=schedule_changes.PREVIEW_WEEKS)
    return page, status


@bp.post("/hours/versions")
@requires("coordinator")
def hours_version():
    """action=preview: the page again with six weeks as they would be, nothing saved; action=save."""
    config, form = _config(), request.form
    values = {name: form.get(name, "") for name in ("expression", "effective_from", "note")}
    try:
        draft = schedule_changes.check_draft(config, values["expression"], values["effective_from"], values["note"])
        if form.get("action") == "save":
            with unit_of_work() as (session, outbox):
                schedule_changes.add_version(session, config, draft, g.user.id, datetime.now(UTC), outbox)
            flash(f"Nieuwe openingsuren bewaard: ze gelden vanaf {long_date(draft.effective_from, year=True)}.")
            return redirect(url_for("console.hours_page"))
        if form.get("action") != "preview":
            raise DomainError("invalid", "Onbekende actie.", field="action")
        with reading() as session:
            preview = schedule_changes.preview(session, config, draft, datetime.now(config.tz).date())
    except DomainError as exc:
        return hours_page(version_form=values, errors={exc.details.get("field") or "version": exc.message},
                          status=422)
    return hours_page(preview=preview, version_form=values)


@bp.post("/hours/days")
@requires("coordinator")
def hours_add_day():
    config, form = _config(), request.form
    values = {name: form.get(name, "") for name in ("day", "kind", "open_from", "open_to", "hours", "reason")}
    try:
        with unit_of_work() as (session, outbox):
            row = schedule_changes.add_day(session, config, values["day"], values["kind"], values["reason"], g.user.id,
                                           datetime.now(UTC), outbox, hours=values["hours"],
                                           open_from=values["open_from"], open_to=values["open_to"])
            done = f"{long_date(row.day, year=True).capitalize()}: " + (
                f"open {row.hours}" if row.open else "gesloten") + f" ({row.reason})."
    except DomainError as exc:
        status = 409 if exc.code == "day_taken" else 422
        return hours_page(day_form=values, errors={exc.details.get("field") or "day": exc.message}, status=status)
    flash(f"Uitzondering bewaard. {done}")
    return redirect(url_for("console.hours_page"))


@bp.post("/hours/days/<int:day_id>/remove")
@requires("coordinator")
def hours_remove_day(day_id):
    config = _config()
    try:
        with unit_of_work() as (session, outbox):
            row = schedule_changes.remove_day(session, day_id, g.user.id, datetime.now(UTC),
                                              datetime.now(config.tz).date(), outbox)
            done = f"Uitzondering van {long_date(row.day, year=True)} verwijderd."
    except DomainError as exc:
        status = 404 if exc.code == "not_found" else 409
        return hours_page(errors={"day_id": exc.message}, status=status)
    flash(done)
    return redirect(url_for("console.hours_page"))


def _config() -> HoursConfig:
    return current_app.extensions["clbchat.schedule"].config


def _statuses(versions, in_force_id, today) -> dict[int, str]:
    """Per version: in force now, planned, corrected (a later one with the same date), or earlier."""
    statuses, seen_dates = {}, set()
    for version in versions:  # the latest date first; of one date, the last saved first
        if version.id == in_force_id:
            statuses[version.id] = "Nu van kracht"
        elif version.effective_from in seen_dates:
            statuses[version.id] = "Gecorrigeerd"
        elif version.effective_from > today:
            statuses[version.id] = "Gepland"
        else:
            statuses[version.id] = "Vroeger"
        seen_dates.add(version.effective_from)
    return statuses
