"""Database tables, one module per area; import them from here.

The database is the source of truth for the queue and every conversation; nothing about a chat lives
only in a process.
- chat: sites, conversations, messages
- staff: users (counsellors and coordinators)
"""

from .chat import Conversation, Message, Site
from .staff import User
from .types import UTCDateTime, utcnow

__all__ = ["Conversation", "Message", "Site", "User", "UTCDateTime", "utcnow"]
