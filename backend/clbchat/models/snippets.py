"""Ready-made texts a counsellor inserts in a chat: the shared library (coordinators keep it) and each
counsellor's own. A referral snippet names its partner, when its contact details were last checked,
and the registration result it stands for."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Snippet(db.Model):
    __tablename__ = "snippets"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # None: the library
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    partner_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    partner_phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    partner_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_checked: Mapped[date | None] = mapped_column(Date, nullable=True)  # the partner's details
    result_code: Mapped[str | None] = mapped_column(String(40), nullable=True)  # pre-ticks this result
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
