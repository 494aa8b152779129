"""SQLAlchemy models. Typed declarations only; queries live in bot/services."""

from models.accounts import AuditLog, Conversation, Identity, OpdInvite, ProcessedUpdate, User
from models.activity import Broadcast, Event, Lead, Need, NeedRequest, OutboxMessage, Rsvp, SearchLog
from models.base import Base, utcnow
from models.catalog import Product, Vendor, VendorClaim
from models.inbox import InboxUpdate

__all__ = [
    "AuditLog",
    "Base",
    "Broadcast",
    "Conversation",
    "Event",
    "Identity",
    "InboxUpdate",
    "Lead",
    "Need",
    "NeedRequest",
    "OpdInvite",
    "OutboxMessage",
    "ProcessedUpdate",
    "Product",
    "Rsvp",
    "SearchLog",
    "User",
    "Vendor",
    "VendorClaim",
    "utcnow",
]
