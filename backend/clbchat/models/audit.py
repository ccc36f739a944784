"""The audit log: who saw or did what with a chat, append-only (domain/audit.py).

It holds staff ids, chat ids, what was done and when; never message text, notes or nicknames. The
chat id is a plain number, not a foreign key, so that no deletion of chats (`flask remove-site
--delete-history`) ever touches it; a database trigger refuses every UPDATE and DELETE (migration
c7d2e9a41b05), so nobody edits it, not even through SQL from the service.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .staff import User
from .types import UTCDateTime


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_conversation", "conversation_id", "at"),
        Index("ix_audit_entries_actor", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(24))  # domain/audit.py: ACTIONS
    conversation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The colleague it concerned (a hand-over's receiver), if any.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(80), nullable=True)  # e.g. "2 uur", "verpleegkundige of arts"

    actor: Mapped[User] = relationship(foreign_keys=[actor_id], lazy="joined")
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id], lazy="joined")
