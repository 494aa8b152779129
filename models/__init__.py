"""SQLAlchemy models. Typed declarations only; queries live in bot/services."""

from models.accounts import AuditLog, Conversation, Identity, IdentityLink, OpdInvite, ProcessedUpdate, User
from models.activity import (
    Broadcast,
    Event,
    Lead,
    Need,
    NeedRequest,
    OutboxMessage,
    OutboxPart,
    Rsvp,
    SearchLog,
)
from models.app_state import AppState
from models.base import Base, utcnow
from models.catalog import Product, Vendor, VendorClaim
from models.inbox import InboxUpdate
from models.media import Media

__all__ = [
    "AppState",
    "AuditLog",
    "Base",
    "Broadcast",
    "Conversation",
    "Event",
    "Identity",
    "IdentityLink",
    "InboxUpdate",
    "Lead",
    "Media",
    "Need",
    "NeedRequest",
    "OpdInvite",
    "OutboxMessage",
    "OutboxPart",
    "ProcessedUpdate",
    "Product",
    "Rsvp",
    "SearchLog",
    "User",
    "Vendor",
    "VendorClaim",
    "utcnow",
]
