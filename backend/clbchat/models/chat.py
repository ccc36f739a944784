"""The chat itself: sites that embed the button, conversations and their messages.

No visitor data beyond the nickname they chose and an optional role is stored: no IP address, no
user agent, no cookie.
"""

import json
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .staff import User
from .types import UTCDateTime, utcnow


class Site(db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # JSON list of origins such as "https://www.clbchat.be" allowed to embed the button.
    allowed_origins_json: Mapped[str] = mapped_column("allowed_origins", Text, default="[]")
    hide_when_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def allowed_origins(self) -> list[str]:
        return json.loads(self.allowed_origins_json)

    @allowed_origins.setter
    def allowed_origins(self, origins: list[str]) -> None:
        self.allowed_origins_json = json.dumps(sorted({o.rstrip("/") for o in origins}))


class Conversation(db.Model):
    """One chat request, from the moment the visitor asks until it ends, with its outcome and times."""

    __tablename__ = "conversations"
    __table_args__ = (
        # The queue in order (domain/queue.py): lane, then first come, first served.
        Index("ix_conversations_queue_order", "status", "queue_lane", "requested_at", "id"),
        Index("ix_conversations_picked_up_at", "picked_up_at"),  # recent pick-ups, for estimates
        # Each counsellor's open chats: free places for the estimates on every queue move, the limit on take.
        Index("ix_conversations_counsellor_status", "counsellor_id", "status"),
        # The hourly retention check (domain/retention.py) reads only chats that still hold text.
        Index("ix_conversations_unpurged", "ended_at", sqlite_where=text("token_hash IS NOT NULL"),
              postgresql_where=text("token_hash IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    ref: Mapped[str | None] = mapped_column(String(40), nullable=True)
    nickname: Mapped[str | None] = mapped_column(String(24), nullable=True)
    visitor_role: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # waiting -> active -> ended, or waiting -> ended; active -> waiting when its counsellor is gone
    status: Mapped[str] = mapped_column(String(8), default="waiting")
    # Waiting chats are taken lane by lane (LANE_RETURNED before LANE_NEW), first come first served
    # within a lane; domain/queue.py.
    queue_lane: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    # Set when the chat went back to the queue because its counsellor was gone (domain/requeue.py).
    requeued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # answered | left_waiting | turned_away | abandoned; set when the conversation ends
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(10), nullable=True)  # visitor|quick_exit|counsellor|system
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the first pick-up
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # SHA-256 of the visitor's resume token; the token itself only lives in their sessionStorage.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    # Presence: the visitor's socket is open somewhere (as last told) and its heartbeat is recent.
    visitor_connected: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every visitor socket that attaches; only the latest may mark the visitor as gone
    # (an old socket of a phone that switched networks often closes after the new one attached).
    visitor_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    visitor_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The staff thread's own numbering (models/teamwork.py: StaffMessage), apart from the visitor's.
    last_staff_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_stars: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(String(500), nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Marked as a crisis during the chat: silences the duration aid; pre-ticks "crisis" in the registration.
    crisis_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    site: Mapped[Site] = relationship()
    # Joined: message views need the counsellor's display name, and a second query per message is
    # a database round trip on the hot path.
    counsellor: Mapped[User | None] = relationship(lazy="joined")


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_messages_seq"),
        # A resent message (same client id) is stored once.
        UniqueConstraint("conversation_id", "sender", "client_id", name="uq_messages_client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(11))  # visitor | counsellor | coordinator | system
    # The staff member who wrote it (a counsellor, or a coordinator who joined); None for the visitor
    # and the service's own lines.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
