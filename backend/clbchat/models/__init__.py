"""Database tables, one module per area; import them from here.

The database is the source of truth for the queue and every conversation; nothing about a chat lives
only in a process.
- chat: sites, conversations, messages
- staff: users (counsellors and coordinators), CLBs
- registration: what is registered after a chat, and the coded lists it uses
- snippets: ready-made texts for the composer
"""

from .chat import Conversation, Message, Site
from .registration import CodeList, CodeOption, Registration, RegistrationChange, RegistrationCode
from .snippets import Snippet
from .staff import Clb, User
from .types import UTCDateTime, utcnow

__all__ = ["Clb", "CodeList", "CodeOption", "Conversation", "Message", "Registration", "RegistrationChange",
           "RegistrationCode", "Site", "Snippet", "User", "UTCDateTime", "utcnow"]
