"""What a counsellor registers after a chat, and the coded lists (topics, results) it is filled from.

The annual report is built from these rows, across years, so the lists are versioned: an option has a
stable code that is never reused, is retired rather than deleted, and renaming it keeps its meaning.
Every change to a list bumps that list's version; a registration stores the codes it chose and the
versions of the lists it was filled from. Registrations outlive transcripts: the retention purge
clears only the staff note (domain/retention.py).
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

CODE_LISTS = ("topics", "results")
VISITOR_TYPES = ("pupil", "parent", "teacher", "other")


class CodeList(db.Model):
    __tablename__ = "code_lists"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)  # CODE_LISTS
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CodeOption(db.Model):
    """One option of a list. `group_code` places a topic under one of the four CLB guidance domains."""

    __tablename__ = "code_options"

    list_name: Mapped[str] = mapped_column(ForeignKey("code_lists.name"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    group_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    added_in: Mapped[int] = mapped_column(Integer, default=1)  # the list version that added it
    retired_in: Mapped[int | None] = mapped_column(Integer, nullable=True)  # and the one that retired it


class Registration(db.Model):
    """One per answered chat, by the counsellor who ended it (or a coordinator)."""

    __tablename__ = "registrations"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # whose registration it is
    visitor_type: Mapped[str] = mapped_column(String(8))  # VISITOR_TYPES
    age: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    prank: Mapped[bool] = mapped_column(Boolean, default=False)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    # For colleagues only; never shown to a visitor; cleared with the transcript.
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    topics_version: Mapped[int] = mapped_column(Integer)
    results_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))

    codes: Mapped[list["RegistrationCode"]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                           order_by="RegistrationCode.code")


class RegistrationCode(db.Model):
    """A topic or result chosen in a registration: one row each, so reports count them in SQL."""

    __tablename__ = "registration_codes"
    __table_args__ = (Index("ix_registration_codes_code", "list_name", "code"),)

    conversation_id: Mapped[int] = mapped_column(ForeignKey("registrations.conversation_id", ondelete="CASCADE"),
                                                 primary_key=True)
    list_name: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class RegistrationChange(db.Model):
    """Who changed a registration and when, with what it said before (JSON)."""

    __tablename__ = "registration_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("registrations.conversation_id", ondelete="CASCADE"),
                                                 index=True)
    changed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    previous_json: Mapped[str] = mapped_column(Text)
