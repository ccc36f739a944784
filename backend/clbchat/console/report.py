"""The annual report page (coordinators only): every figure of the jaarverslag for a school year (the
current one by default) or a range of months, next to the period before, each with how it is computed.
Plain HTML to read and to print (the browser's print gives the A4 version, with "< 5" for a figure from
fewer than five chats); the tables come from domain/report.py, one function each, for exports to reuse.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request

from ..auth import requires
from ..domain import report, report_period
from ..domain.errors import DomainError
from ..domain.opening_days import opening_days
from ..domain.report_tables import show
from ..unit_of_work import reading
from . import bp


@bp.get("/report")
@requires("coordinator")
def report_page():
    config = current_app.config
    tz = ZoneInfo(config["CHAT_TIMEZONE"])
    today = datetime.now(tz).date()
    args = request.args
    error, built, status = None, None, 200
    try:
        period = report_period.parse_period(args.get("year"), args.get("from"), args.get("to"), today)
    except DomainError as exc:
        period, status = None, 422
        error = {"field": exc.details.get("field"), "message": exc.message}
    with reading() as session:
        years = report.school_years(session, tz, today)
        if period is not None:
            built = report.build(session, period, tz, opening_dates(session, period))
    # The form shows the period asked for, or the current school year after a bad one.
    chosen = period or report_period.school_year(report_period.school_year_of(today))
    return render_template("console/report.html", report=built, period=period, years=years, chosen=chosen,
                           error=error, show=show, form={k: args.get(k, "") for k in ("year", "from", "to")}), status


def opening_dates(session, period: report_period.Period) -> list:
    """The opening days of the period and the period before, from the stored history of opening hours
    (domain/opening_days.py: each past date by the schedule in force then)."""
    config = current_app.extensions["clbchat.schedule"].config
    return [day.date for day in opening_days(session, period.previous().first_day, period.last_day, config)]
