"""Database tables, one module per area; import them from here.

The database is the source of truth for the queue and every conversation; nothing about a chat lives
only in a process.
- chat: sites, conversations, messages
- staff: users (counsellors and coordinators), CLBs
- registration: what is registered after a chat, and the coded lists it uses
- snippets: ready-made texts for the composer
- teamwork: the staff side of a chat (who took part, hand-overs, the staff-only thread)
- board: the shared board of notes about recurring chatters
- audit: who saw or did what with a chat (append-only)
- hours: opening hours with their history (schedule versions, one-off days)
"""

from .audit import AuditEntry
from .board import BoardNote
from .chat import Conversation, Message, Site
from .hours import ScheduleDay, ScheduleVersion
from .registration import CodeList, CodeOption, Registration, RegistrationChange, RegistrationCode
from .snippets import Snippet
from .staff import Clb, User
from .teamwork import HandOver, Participation, StaffMessage
from .types import UTCDateTime, utcnow

__all__ = ["AuditEntry", "BoardNote", "Clb", "CodeList", "CodeOption", "Conversation", "HandOver", "Message",
           "Participation", "Registration", "RegistrationChange", "RegistrationCode", "ScheduleDay", "ScheduleVersion",
           "Site", "Snippet", "StaffMessage", "User", "UTCDateTime", "utcnow"]
