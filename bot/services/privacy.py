"""Data rights under UU PDP: show a user what is stored about them, and delete it on request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit, media
from bot.services.catalog import vendor_of
from bot.services.search.index import purge_deleted_text
from models import Conversation, Identity, Lead, NeedRequest, Product, SearchLog, User, Vendor


@dataclass(frozen=True)
class StoredData:
    """Everything the bot keeps about one user, for `data saya`."""

    user: User
    identities: list[Identity]
    vendor: Vendor | None
    product_count: int


async def stored_data(session: AsyncSession, user: User) -> StoredData:
    """Collect what is stored about the user."""
    identities = list(await session.scalars(select(Identity).where(Identity.user_id == user.id)))
    vendor = await vendor_of(session, user)
    products = 0
    if vendor is not None:
        products = await session.scalar(select(func.count()).select_from(Product).where(Product.vendor_id == vendor.id))
    return StoredData(user, identities, vendor, products or 0)


async def delete_my_data(session: AsyncSession, user: User) -> None:
    """Remove the user's business, products and contact data.

    What stays (and the "data saya" text, `data.footer`, says so): the user row without name, phone or
    consent, and its channel identity, so the user can keep chatting; past searches and recorded needs, with
    the link to the user cut, as anonymous demand statistics; leads as an anonymised trace (product name and
    date, no business, no note, no question); audit rows, which hold references only (`bot.services.audit`
    keeps personal text out of them).
    The business's words leave the search index too.
    """
    vendor = await vendor_of(session, user)
    photos: list[str | None] = []
    if vendor is not None:
        photos = list(await session.scalars(select(Product.photo_ref).where(Product.vendor_id == vendor.id)))
        await session.execute(
            update(Lead)
            .where(Lead.vendor_id == vendor.id)
            .values(vendor_id=None, product_id=None, note=None, answer_note=None)
        )
        await session.delete(vendor)
    await session.execute(update(Lead).where(Lead.buyer_user_id == user.id).values(note=None, answer_note=None))
    await session.execute(update(NeedRequest).where(NeedRequest.user_id == user.id).values(user_id=None))
    await session.execute(delete(Conversation).where(Conversation.user_id == user.id))
    await session.execute(update(SearchLog).where(SearchLog.user_id == user.id).values(user_id=None))
    user.phone = None
    await session.execute(update(Identity).where(Identity.user_id == user.id).values(verified_phone=None))
    user.display_name = None
    user.consent_version = None
    user.consented_at = None
    # The OPD profile is personal data too; without it the person leaves the verification queue.
    user.full_name = user.job_title = user.nip = user.opd_name = user.opd_reason = None
    user.opd_status = None
    user.opd_verified = False
    if user.role == "vendor":
        user.role = "buyer"
    audit.record(session, user.id, "privacy.delete", f"user:{user.id}")
    await session.flush()
    if vendor is not None:
        await purge_deleted_text(session)
        await media.forget(session, photos)  # the pictures the bot kept of those products
