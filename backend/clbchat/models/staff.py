"""Staff: the counsellors and coordinators who log in to the console, their discipline and home CLB."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime

# A counsellor's background (DOMAIN.md, "The CLB world"); nurses and doctors are medically trained,
# which hand-over to "any nurse or doctor" and the roster's cover check rely on.
DISCIPLINES = ("social_worker", "psycho_pedagogue", "nurse", "doctor", "other")
MEDICALLY_TRAINED = ("nurse", "doctor")
ROLES = ("counsellor", "coordinator")


class Clb(db.Model):
    """One of the CLBs (72 in Flanders and Brussels) whose staff may answer the chat; a configurable
    list (`flask add-clb`). Retired, never deleted: users and reports point at it."""

    __tablename__ = "clbs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)  # stable, never reused
    name: Mapped[str] = mapped_column(String(120), unique=True)
    network: Mapped[str | None] = mapped_column(String(24), nullable=True)  # Vrij CLB Netwerk, GO!, OVSG, POV
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(db.Model):
    """A counsellor or coordinator; logs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="counsellor")  # ROLES
    discipline: Mapped[str] = mapped_column(String(20), default="other", server_default="other")  # DISCIPLINES
    home_clb_id: Mapped[int | None] = mapped_column(ForeignKey("clbs.id"), nullable=True)
    max_chats: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Refreshed by the console connection's heartbeat; "online" means seen recently.
    console_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    home_clb: Mapped[Clb | None] = relationship()

    @property
    def medically_trained(self) -> bool:
        return self.discipline in MEDICALLY_TRAINED
