"""Staff: the counsellors and coordinators who log in to the console."""

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class User(db.Model):
    """A counsellor or coordinator; logs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="counsellor")
    max_chats: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Refreshed by the console connection's heartbeat; "online" means seen recently.
    console_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
