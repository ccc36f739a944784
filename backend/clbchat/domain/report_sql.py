"""SQL building blocks of the report that work the same on SQLite and PostgreSQL.

- `bucket`: which period (month, school year) a stored UTC time falls in, as a CASE over bounds computed
  in Python (report_period.py), instead of date functions that differ per database and ignore Brussels.
- `seconds_between`: the one expression that differs per database (an interval's epoch on PostgreSQL,
  Julian days on SQLite).
- `percentiles`: medians and percentiles with window functions (ROW_NUMBER and COUNT, which both
  databases have; SQLite has no percentile_cont). Only the one or two rows around each wanted position
  leave the database; the value in between is interpolated as percentile_cont does.
"""

from datetime import datetime
from fractions import Fraction

from sqlalchemy import Float, and_, case, cast, func, null, or_, select


def bucket(column, bounds: list[datetime]):
    """0 for bounds[0] <= column < bounds[1], 1 for the next, ...; NULL outside [bounds[0], bounds[-1])."""
    whens = [(and_(column >= bounds[0], column < bounds[1]), 0)]
    whens += [(column < bound, i) for i, bound in enumerate(bounds[2:], start=1)]
    return case(*whens, else_=None) if len(bounds) > 2 else case(whens[0], else_=None)


def within(column, bounds: list[datetime]):
    return and_(column >= bounds[0], column < bounds[-1])


def seconds_between(session, later, earlier):
    """later - earlier in seconds, to the millisecond (NULL when either is NULL). SQLite's Julian days
    are doubles (about 40 microseconds apart at today's dates), hence the rounding to whole
    milliseconds: a wait of exactly 60 s must not come out as 60.00004."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", later - earlier), Float)
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400000.0) / 1000.0


def flag(condition):
    """1 when the condition holds, else 0: SUM(flag(...)) counts rows, on both databases."""
    return case((condition, 1), else_=0)


def percentiles(session, value, where, fractions: tuple[Fraction, ...], key=None) -> dict:
    """{key: {fraction: value}} for the rows that match `where` and have a value: the continuous
    percentile (as PostgreSQL's percentile_cont) of `value` per `key`, or over all rows (key None: the
    result's key is None)."""
    inner = select((key if key is not None else null()).label("k"), value.label("v")) \
        .where(*where, value.is_not(None)).subquery()
    ranked = select(inner.c.k, inner.c.v,
                    func.row_number().over(partition_by=inner.c.k, order_by=inner.c.v).label("rn"),
                    func.count().over(partition_by=inner.c.k).label("cnt")).subquery()
    wanted = []
    for fraction in fractions:
        position = (ranked.c.cnt - 1) * fraction.numerator  # the wanted row is (cnt - 1) * fraction, from 0
        lower = position // fraction.denominator
        upper = (position + fraction.denominator - 1) // fraction.denominator
        wanted.append(and_(ranked.c.rn - 1 >= lower, ranked.c.rn - 1 <= upper))
    rows = session.execute(select(ranked.c.k, ranked.c.rn, ranked.c.cnt, ranked.c.v)
                           .where(or_(*wanted))).all()
    by_key: dict = {}
    for k, rn, cnt, v in rows:
        by_key.setdefault(k, ({}, cnt))[0][rn - 1] = float(v)
    result = {}
    for k, (values, cnt) in by_key.items():
        result[k] = {}
        for fraction in fractions:
            position = (cnt - 1) * fraction
            low = int(position)
            high = low + (1 if position > low else 0)
            result[k][fraction] = values[low] + float(position - low) * (values[high] - values[low])
    return result

