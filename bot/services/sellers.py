"""What a buyer may see of a seller. The phone number follows the vendor's consent, checked here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound
from bot.services import audit
from bot.services.accounts import can_see_vendor_phones
from models import Product, User, Vendor


@dataclass(frozen=True)
class SellerView:
    """A product and its seller as one buyer may see them."""

    product: Product
    vendor: Vendor
    phone: str | None
    phone_hidden: bool


async def seller_view(session: AsyncSession, viewer: User, product_ref: str) -> SellerView:
    """The seller of a visible product; the phone only if the vendor allowed this viewer to see it."""
    product = await session.scalar(select(Product).where(Product.product_ref == product_ref)) if product_ref else None
    vendor = await session.get(Vendor, product.vendor_id) if product is not None else None
    if product is None or vendor is None or not product.visible:
        raise NotFound("find.product_gone")
    allowed = vendor.phone_visibility == "all" or can_see_vendor_phones(viewer) or vendor.user_id == viewer.id
    phone = vendor.phone if allowed else None
    if phone:
        audit.record(session, viewer.id, "contact.view", f"vendor:{vendor.vendor_ref}")
    return SellerView(product=product, vendor=vendor, phone=phone, phone_hidden=bool(vendor.phone) and not allowed)


async def seller_products(session: AsyncSession, product_ref: str) -> tuple[Vendor, list[Product]]:
    """The seller of a visible product and all their visible products, by name."""
    product = await session.scalar(select(Product).where(Product.product_ref == product_ref)) if product_ref else None
    vendor = await session.get(Vendor, product.vendor_id) if product is not None else None
    if product is None or vendor is None or not product.visible:
        raise NotFound("find.product_gone")
    rows = await session.scalars(
        select(Product).where(Product.vendor_id == vendor.id, Product.visible.is_(True)).order_by(Product.name)
    )
    return vendor, list(rows)
