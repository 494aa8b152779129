"""SQLAlchemy models. Typed declarations only; queries live in bot/services."""

from models.accounts import AuditLog, Conversation, Identity, ProcessedUpdate, User
from models.activity import Broadcast, Event, Lead, Need, NeedRequest, OutboxMessage, Rsvp, SearchLog
from models.base import Base, utcnow
from models.catalog import Product, Vendor
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
    "OutboxMessage",
    "ProcessedUpdate",
    "Product",
    "Rsvp",
    "SearchLog",
    "User",
    "Vendor",
    "utcnow",
]
