"""The shared board ("prikbord"): short staff notes about recent recurring or prank chatters, which
expire by themselves. A note holds what a counsellor wrote (the nickname used, the pattern, how to
handle it) and nothing that identifies a visitor: no IP address, fingerprint or conversation id."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .staff import User
from .types import UTCDateTime


class BoardNote(db.Model):
    __tablename__ = "board_notes"
    __table_args__ = (Index("ix_board_notes_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nickname: Mapped[str | None] = mapped_column(String(24), nullable=True)  # the nickname the chatter used
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    author: Mapped[User] = relationship(lazy="joined")
