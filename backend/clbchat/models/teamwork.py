"""The staff side of a conversation: who took part and when, hand-over offers, and the lines only
staff read.

- A `Participation` is one stint of one staff member in a chat: its owners one after another (taken
  from the queue, handed over, back to the queue) and coordinators looking on ("meekijken") or joined
  visibly ("deelnemen"). `conversations.counsellor_id` stays the current owner, for the hot paths.
- A `HandOver` is an offer of a chat to a named colleague or to a discipline, with its note and how
  it ended; reports count the accepted ones.
- A `StaffMessage` is a line in a chat's staff thread (a whisper, a hand-over note, "Lotte kijkt
  mee"), numbered by its own sequence (`conversations.last_staff_seq`) so the visitor's `seq` stays
  gap-free. The visitor's views read `messages` only and their socket never hears the staff channel
  (domain/channels.py), so nothing here can reach a visitor.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .staff import User
from .types import UTCDateTime

# owner: the counsellor who answers (one at a time); watcher: a coordinator looking on, whom the visitor
# does not see; joined: a coordinator who takes part visibly.
PARTICIPANT_ROLES = ("owner", "watcher", "joined")
# Why a stint ended: the chat ended, was handed over, went back to the queue, or the coordinator stopped.
LEFT_BECAUSE = ("ended", "handed_over", "requeued", "stopped")
HANDOVER_OUTCOMES = ("accepted", "declined", "expired", "cancelled")
STAFF_MESSAGE_KINDS = ("whisper", "note", "event")  # note: a hand-over note; event: a line from the service


class Participation(db.Model):
    __tablename__ = "participations"
    __table_args__ = (
        Index("ix_participations_conversation", "conversation_id", "left_at"),
        Index("ix_participations_user", "user_id", "left_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(8))  # PARTICIPANT_ROLES
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    left_because: Mapped[str | None] = mapped_column(String(12), nullable=True)  # LEFT_BECAUSE

    user: Mapped[User] = relationship(lazy="joined")


class HandOver(db.Model):
    __tablename__ = "handovers"
    __table_args__ = (
        Index("ix_handovers_conversation", "conversation_id", "outcome"),
        # The offers still open (the sweep that lapses them, a console's standing offers, the overview):
        # a handful, however many hand-overs the years hold.
        Index("ix_handovers_open", "expires_at", sqlite_where=text("outcome IS NULL"),
              postgresql_where=text("outcome IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Offered to one colleague, or to whoever of a group accepts first (domain/handover.py: GROUPS).
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    to_group: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # staff only; purged with the transcript
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)  # None while pending; HANDOVER_OUTCOMES
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class StaffMessage(db.Model):
    __tablename__ = "staff_messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_staff_messages_seq"),
        UniqueConstraint("conversation_id", "author_id", "client_id", name="uq_staff_messages_client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # from conversations.last_staff_seq
    kind: Mapped[str] = mapped_column(String(8))  # STAFF_MESSAGE_KINDS
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # None for an event
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
