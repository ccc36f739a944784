"""The annual report gives the same figures on PostgreSQL as on SQLite.

With CLBCHAT_TEST_BACKEND=scaleout the test's database is PostgreSQL (tests/conftest.py): the hand-made
data set (tests/report_data.py) goes into it and into a SQLite copy, and every table of the report must
agree, cell by cell, and with the answers worked out by hand in tests/unit/test_report.py; PostgreSQL's
own percentile_cont checks the portable medians and percentiles. Without scaleout both sides are
SQLite, which still checks that the report does not depend on the database it was built on.
"""

import shutil
from datetime import UTC, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql

import clbchat
from clbchat.domain import report
from clbchat.domain.report_period import school_year
from clbchat.domain.report_sql import bucket, percentiles, seconds_between, within
from clbchat.extensions import db
from clbchat.models import Conversation

from .. import report_data
from ..conftest import BACKEND

TZ = ZoneInfo("Europe/Brussels")
YEAR = school_year(2025)


def rounded(built: report.Report) -> dict[str, list[list]]:
    return {table.key: [[round(c.value, 6) if isinstance(c.value, float) else c.value for c in row]
                        for row in table.rows] for table in built.tables}


def report_on(app) -> dict[str, list[list]]:
    with app.app_context():
        report_data.build(db.session)
        report_data.rename_suicide_topic(db.session, datetime(2026, 9, 15, tzinfo=UTC))
        figures = rounded(report.build(db.session, YEAR, TZ, report_data.OPENING_DATES))
        db.session.remove()
    return figures


@pytest.fixture
def sqlite_app(request, tmp_path):
    path = tmp_path / "reference.sqlite3"
    shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
    app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "test",
                              "CHAT_HOURS": "24/7"})
    yield app
    app.extensions["clbchat.hub"].stop()
    app.extensions["clbchat.bus"].close()
    with app.app_context():
        db.engine.dispose()


def test_every_figure_agrees_with_sqlite(app, sqlite_app):
    with app.app_context():
        dialect = db.engine.dialect.name
    assert dialect == ("postgresql" if BACKEND == "scaleout" else "sqlite")
    figures, reference = report_on(app), report_on(sqlite_app)
    assert figures.keys() == reference.keys()
    for key, rows in reference.items():
        assert figures[key] == rows, key
    # A few of the hand-worked answers (tests/unit/test_report.py), on this database too.
    assert figures["waiting"][-2] == ["Totaal", 6, round(560 / 6, 6), 50.0, 210.0, round(4 / 6, 6)]
    assert figures["duration"][-2] == ["Totaal", 6, round(170 / 6, 6), 25.0, round(2 / 6, 6), round(1 / 6, 6)]
    assert figures["suicide"][-1] == ["2025-2026 (deze periode)", 5, 2, 0.4, 1.0, -0.1, -0.2]
    assert figures["requests_per_month"][0] == ["september 2025", 4, 2, 3, round(4 / 3, 6), round(2 / 3, 6)]


@pytest.mark.skipif(BACKEND != "scaleout", reason="percentile_cont is PostgreSQL's (CLBCHAT_TEST_BACKEND=scaleout)")
def test_the_portable_percentiles_equal_percentile_cont(app):
    with app.app_context():
        session = db.session
        report_data.build(session)
        start, end = YEAR.previous().bounds(TZ)[0], YEAR.bounds(TZ)[1]
        bounds = [m.start(TZ) for m in YEAR.previous().month_list + YEAR.month_list] + [end]
        wait = seconds_between(session, Conversation.picked_up_at, Conversation.requested_at)
        month = bucket(Conversation.requested_at, bounds)
        where = [within(Conversation.requested_at, [start, end])]
        wanted = (Fraction(1, 2), Fraction(9, 10))
        ours = percentiles(session, wait, where, wanted, month)
        theirs = session.execute(
            select(month, *(func.percentile_cont(float(f)).within_group(wait) for f in wanted))
            .where(*where, Conversation.picked_up_at.is_not(None)).group_by(month)).all()
        assert len(theirs) == len(ours) == 5  # September 2024, August 2025, September and October 2025, February 2026
        for key, median, p90 in theirs:
            assert ours[key] == {wanted[0]: pytest.approx(median), wanted[1]: pytest.approx(p90)}
        assert session.get_bind().dialect.name == postgresql.dialect.name
        session.remove()
