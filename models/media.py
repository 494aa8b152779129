"""Pictures users sent, kept by the bot: a platform's own copy of an incoming picture expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Media(Base):
    """One picture, stored once (by its SHA-256); a photo ref `media:<id>` names it.

    `whatsapp_media_id` is the id WhatsApp gave when the bot uploaded it to show it again (valid 30 days).
    """

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    whatsapp_media_id: Mapped[str | None] = mapped_column(String(128))
    whatsapp_uploaded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
