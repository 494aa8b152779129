"""The catalog as vendors see it: their business profile and their products.

Every function takes the acting user and checks ownership here, whatever a button payload claimed:
a vendor reads and changes only their own business and products. Search text is recomputed on every
write so the change is findable at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied
from bot.services import audit, claims, media
from bot.services.categories import CATEGORIES as CATEGORY_LABELS
from bot.services.parsers import Price
from bot.services.search.index import reindex_product, reindex_vendor
from models import Product, User, Vendor, utcnow

CATEGORIES = tuple(CATEGORY_LABELS)  # the slugs, in the order of DOMAIN.md (owned by services.categories)
VISIBILITY = ("all", "opd")
VENDOR_FIELDS = (
    "business_name",
    "owner_name",
    "phone",
    "kecamatan",
    "address",
    "nib",
    "ekatalog",
    "ekatalog_url",
    "tkdn_certified",
    "tkdn_number",
    "halal_number",
    "pirt_number",
    "description",
    "phone_visibility",
)


@dataclass(frozen=True)
class ProductPage:
    """One page of a vendor's own products."""

    items: list[Product]
    total: int
    offset: int
    limit: int


def _new_ref(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4).upper()}"


async def vendor_of(session: AsyncSession, user: User) -> Vendor | None:
    """The business owned by this user, if they registered one."""
    return await session.scalar(select(Vendor).where(Vendor.user_id == user.id))


async def _own_vendor(session: AsyncSession, user: User) -> Vendor:
    vendor = await vendor_of(session, user)
    if vendor is None:
        raise NotFound("catalog.no_business")
    return vendor


def vendor_values(vendor: Vendor) -> dict[str, Any]:
    """A vendor as form values (for editing the profile)."""
    values = {name: getattr(vendor, name) for name in VENDOR_FIELDS if name != "halal_number"}
    values["halal_number"] = vendor.halal_number
    return values


async def save_vendor(session: AsyncSession, user: User, values: dict[str, Any]) -> Vendor:
    """Create the user's business or update it; records the phone-visibility consent with its version."""
    if user.consented_at is None:
        raise PermissionDenied("catalog.consent_needed")
    vendor = await vendor_of(session, user)
    created = vendor is None
    if vendor is None:
        vendor = Vendor(vendor_ref=_new_ref("V"), user_id=user.id, business_name=values["business_name"])
        session.add(vendor)
    identity_changed = not created and any(
        name in values and values[name] != getattr(vendor, name) for name in ("business_name", "owner_name", "phone")
    )
    for name in VENDOR_FIELDS:
        if name in values:
            setattr(vendor, name, values[name])
    vendor.ekatalog = bool(values.get("ekatalog"))
    vendor.tkdn_certified = bool(values.get("tkdn_certified"))
    # A number proves halal; without one, keep what the Dinas imported.
    vendor.halal = bool(values.get("halal_number")) or (vendor.halal and not created)
    if identity_changed and vendor.verified:
        # The Dinas verified who this business is; a new name, owner or phone needs verifying again.
        vendor.verified = False
        vendor.verified_at = None
    if not vendor.ekatalog:
        vendor.ekatalog_url = None
    if vendor.tkdn_number and not any(ch.isdigit() for ch in vendor.tkdn_number):
        # "belum punya", "tidak ada": an answer, not a certificate number, so no TKDN certificate is claimed.
        vendor.tkdn_certified = False
    if not vendor.tkdn_certified:
        vendor.tkdn_number = None
    if vendor.phone_visibility not in VISIBILITY:
        vendor.phone_visibility = "opd"
    vendor.consent_version = user.consent_version
    vendor.consented_at = utcnow()
    if user.role != "opd":  # OPD staff who also run a business keep their buyer rights
        user.role = "vendor"
    if vendor.phone and not user.phone:
        user.phone = vendor.phone
    await session.flush()
    await claims.refresh_verified(session, vendor, grant=False)  # a changed claim is unchecked again: the badge follows
    await reindex_vendor(session, vendor.id)
    action = "vendor.create" if created else "vendor.update"
    audit.record(session, user.id, action, f"vendor:{vendor.vendor_ref}")
    return vendor


def _apply_product_values(product: Product, values: dict[str, Any]) -> None:
    for name in ("name", "category", "description", "unit", "min_order", "monthly_capacity"):
        if name in values:
            setattr(product, name, values[name])
    if "price" in values:
        price: Price | None = values["price"]
        product.price = Decimal(price.amount) if price is not None and price.amount is not None else None
        product.price_negotiable = bool(price and price.negotiable)
    if "tkdn_percent" in values:
        tkdn = values["tkdn_percent"]
        product.tkdn_percent = Decimal(str(tkdn)) if tkdn not in (None, "") else None
    if "photo" in values:
        product.photo_ref = values["photo"]
    if product.category not in CATEGORIES:
        product.category = "lainnya"


def product_values(product: Product) -> dict[str, Any]:
    """A product as form values (for editing it)."""
    return {
        "name": product.name,
        "category": product.category,
        "description": product.description,
        "price": Price(int(product.price) if product.price is not None else None, product.price_negotiable),
        "unit": product.unit,
        "min_order": product.min_order,
        "monthly_capacity": product.monthly_capacity,
        "tkdn_percent": product.tkdn_percent,
        "photo": product.photo_ref,
    }


async def add_product(session: AsyncSession, user: User, values: dict[str, Any], channel: str) -> Product:
    """Add a product to the user's own business."""
    vendor = await _own_vendor(session, user)
    product = Product(product_ref=_new_ref("P"), vendor_id=vendor.id, name=values["name"], photo_channel=channel)
    _apply_product_values(product, values)
    session.add(product)
    await session.flush()
    await claims.refresh_verified(session, vendor, grant=False)  # a new TKDN % is a claim to check
    await reindex_product(session, product)
    audit.record(session, user.id, "product.create", f"product:{product.product_ref}")
    return product


async def own_product(session: AsyncSession, user: User, product_id: int | None) -> Product:
    """The product with this id if it belongs to the user's business; refuses anyone else's."""
    product = await session.get(Product, product_id) if product_id is not None else None
    if product is None:
        raise NotFound("catalog.product_gone")
    vendor = await session.get(Vendor, product.vendor_id)
    if vendor is None or vendor.user_id != user.id:
        raise PermissionDenied("catalog.not_your_product", product_id=product_id)
    return product


async def update_product(
    session: AsyncSession, user: User, product_id: int | None, values: dict[str, Any], channel: str
) -> Product:
    """Change fields of one of the user's own products."""
    product = await own_product(session, user, product_id)
    if values.get("photo") and values.get("photo") != product.photo_ref:
        product.photo_channel = channel
    _apply_product_values(product, values)
    product.updated_at = utcnow()
    await session.flush()
    vendor = await session.get_one(Vendor, product.vendor_id)
    await claims.refresh_verified(session, vendor, grant=False)  # a changed TKDN % is unchecked again
    await reindex_product(session, product)
    audit.record(session, user.id, "product.update", f"product:{product.product_ref}")
    return product


async def set_product_visible(session: AsyncSession, user: User, product_id: int | None, visible: bool) -> Product:
    """Hide a product from search, or show it again."""
    product = await own_product(session, user, product_id)
    product.visible = visible
    await session.flush()
    await reindex_product(session, product)
    return product


async def delete_product(session: AsyncSession, user: User, product_id: int | None) -> str:
    """Delete one of the user's products; returns its name for the confirmation."""
    product = await own_product(session, user, product_id)
    name, photo = product.name, product.photo_ref
    audit.record(session, user.id, "product.delete", f"product:{product.product_ref}")
    await session.delete(product)
    await session.flush()
    await media.forget(session, [photo])
    return name


async def list_products(session: AsyncSession, user: User, offset: int = 0, limit: int = 5) -> ProductPage:
    """A page of the user's own products, newest first."""
    vendor = await _own_vendor(session, user)
    total = await session.scalar(select(func.count()).select_from(Product).where(Product.vendor_id == vendor.id))
    offset = max(0, min(offset, max(0, (total or 0) - 1)))
    rows = await session.scalars(
        select(Product)
        .where(Product.vendor_id == vendor.id)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return ProductPage(items=list(rows), total=total or 0, offset=offset, limit=limit)
