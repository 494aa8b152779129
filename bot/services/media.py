"""Pictures people sent, kept by the bot: a platform's copy of an incoming picture expires (WhatsApp's media ids
from webhooks after 7 days), so the bytes are stored once (by SHA-256) and named by a photo ref `media:<id>`.

A channel that shows such a picture again uploads it to its platform and remembers the platform's id for a
while (`platform_id` / `remember_upload`), so a picture shown to many people is uploaded once a month.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import Broadcast, Media, Product, utcnow

PREFIX = "media:"
MAX_BYTES = 5 * 1024 * 1024  # WhatsApp's limit for an image
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
UPLOAD_LIFETIME = timedelta(days=29)  # WhatsApp keeps an uploaded file 30 days


def media_id(ref: str | None) -> int | None:
    """The stored picture a photo ref names, or None when it is not a `media:<id>` ref."""
    if not ref or not ref.startswith(PREFIX):
        return None
    number = ref[len(PREFIX) :]
    return int(number) if number.isascii() and number.isdecimal() and len(number) <= 9 else None


async def store(session: AsyncSession, data: bytes, content_type: str) -> str:
    """Keep a picture (once, however often it is sent); its photo ref."""
    digest = hashlib.sha256(data).hexdigest()
    insert: Any = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(Media)
        .values(sha256=digest, content_type=content_type[:64], size=len(data), data=data, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    found = await session.scalar(select(Media.id).where(Media.sha256 == digest))
    return f"{PREFIX}{found}"


async def load(session: AsyncSession, ref: str | None) -> Media | None:
    """The stored picture behind a photo ref, or None."""
    number = media_id(ref)
    return await session.get(Media, number) if number is not None else None


def platform_id(media: Media) -> str | None:
    """WhatsApp's id of an earlier upload of this picture while it is still valid, else None."""
    if (
        media.whatsapp_media_id
        and media.whatsapp_uploaded_at
        and utcnow() - media.whatsapp_uploaded_at < UPLOAD_LIFETIME
    ):
        return media.whatsapp_media_id
    return None


async def remember_upload(session: AsyncSession, number: int, whatsapp_media_id: str) -> None:
    """Remember WhatsApp's id for an uploaded picture."""
    media = await session.get(Media, number)
    if media is not None:
        media.whatsapp_media_id = whatsapp_media_id[:128]
        media.whatsapp_uploaded_at = utcnow()


async def forget(session: AsyncSession, refs: Iterable[str | None]) -> int:
    """Delete the kept pictures behind `refs` that no product or announcement shows any more (after a product,
    or a person's data, is deleted: the picture is personal data too); how many went."""
    ids = {number for ref in refs if (number := media_id(ref)) is not None}
    if not ids:
        return 0
    wanted = [f"{PREFIX}{number}" for number in ids]
    used = set(await session.scalars(select(Product.photo_ref).where(Product.photo_ref.in_(wanted))))
    used |= set(await session.scalars(select(Broadcast.photo_ref).where(Broadcast.photo_ref.in_(wanted))))
    gone = [number for number in ids if f"{PREFIX}{number}" not in used]
    if gone:
        await session.execute(delete(Media).where(Media.id.in_(gone)))
    return len(gone)
