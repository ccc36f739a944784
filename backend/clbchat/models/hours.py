"""Opening hours as data, with their history: the versions of the weekly schedule and the one-off days.

A schedule version is an OSM `opening_hours` expression (the weekly hours and the holiday rules) with
the local date it takes effect; it holds until a later version takes effect. Versions are added,
never edited or deleted: the annual report asks which days were opening days in any past month. A
version saved later with the same date replaces the earlier one from that date (a correction), which
stays in the history.

A one-off day overrides the schedule for one local date: closed (a staff day) or open with its own
hours (one day of the Christmas break). One active row per date; a future one can be removed, which
marks it (`removed_at`) rather than deleting it. The schedule in force: domain/opening_days.py.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .staff import User
from .types import UTCDateTime, utcnow

EXPRESSION_MAX = 500
DAY_HOURS_MAX = 100
REASON_MAX = 120


class ScheduleVersion(db.Model):
    __tablename__ = "schedule_versions"
    __table_args__ = (Index("ix_schedule_versions_effective_from", "effective_from", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date)  # a local date (CHAT_TIMEZONE)
    expression: Mapped[str] = mapped_column(String(EXPRESSION_MAX))
    note: Mapped[str | None] = mapped_column(String(REASON_MAX), nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship(lazy="joined")


class ScheduleDay(db.Model):
    __tablename__ = "schedule_days"
    __table_args__ = (Index("ix_schedule_days_day", "day", "removed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # a local date (CHAT_TIMEZONE)
    open: Mapped[bool] = mapped_column(Boolean)
    # When open: that day's hours as an opening_hours expression, e.g. "17:00-21:00" or
    # "10:00-12:00,14:00-17:00". None when closed.
    hours: Mapped[str | None] = mapped_column(String(DAY_HOURS_MAX), nullable=True)
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    created_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[created_by_id])
