"""Keeping `products.search_text` (and `vendors.search_text`) in step with the catalog.

A product's index text is its name (twice: a cheap way to weigh the name over the rest in bm25 and
ts_rank alike), its category label, its description, its vendor's name, description, kecamatan,
kelurahan and address, all through `normalize.index_text`, plus the marker tokens of `tokens.py`
(place, category, `tkdn`/`tkdn25`/`tkdn40`, `ekatalog`, `halal`). The FTS5 triggers / the generated
tsvector follow `search_text` by themselves.

Every service that writes a product or a vendor calls `reindex_product` / `reindex_vendor` before its
commit; none of these functions commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from sqlalchemy import Update, bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.categories import CATEGORIES
from bot.services.region import load_region
from bot.services.search.normalize import index_text
from bot.services.search.places import vendor_kelurahan
from bot.services.search.tokens import EKATALOG, HALAL, category_token, kecamatan_token, kelurahan_token, tkdn_tokens
from bot.services.search.vocab import invalidate_vocabulary, note_indexed
from models import Product, Vendor

logger = logging.getLogger(__name__)

_BATCH = 5000


class ProductFields(Protocol):
    """What the index needs of a product (an ORM object or a row)."""

    @property
    def name(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def tkdn_percent(self) -> Decimal | None: ...


class VendorFields(Protocol):
    """What the index needs of a vendor (an ORM object or a row)."""

    @property
    def business_name(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def kecamatan(self) -> str | None: ...
    @property
    def kelurahan(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def ekatalog(self) -> bool: ...
    @property
    def tkdn_certified(self) -> bool: ...
    @property
    def halal(self) -> bool: ...


def vendor_search_text(vendor: VendorFields) -> str:
    """The vendor's share of every product's index text (also stored in `vendors.search_text`).

    Holds the vendor's words and its place and e-Katalog/halal markers; the TKDN markers depend on the
    product too and are added per product.
    """
    parts = [index_text(p) for p in (vendor.business_name, vendor.description, vendor.kecamatan, vendor.address)]
    kecamatan = load_region().match_kecamatan(vendor.kecamatan, fuzzy=False) if vendor.kecamatan else None
    if kecamatan:
        parts.append(kecamatan_token(kecamatan))
    kelurahan = vendor_kelurahan(vendor.kelurahan, vendor.address)
    if kelurahan:
        parts += [index_text(kelurahan), kelurahan_token(kelurahan)]
    flags = [flag for flag, on in ((EKATALOG, vendor.ekatalog), (HALAL, vendor.halal)) if on]
    return " ".join(p for p in (*parts, *flags) if p)


@lru_cache(maxsize=64)
def _category_text(slug: str) -> str:
    return " ".join(p for p in (index_text(CATEGORIES.get(slug, "")), category_token(slug)) if p)


def product_search_text(product: ProductFields, vendor: VendorFields, vendor_text: str | None = None) -> str:
    """The normalised index text of a product (see the module notes for what goes in)."""
    name = index_text(product.name)
    parts = [
        name,
        name,
        _category_text(product.category),
        index_text(product.description or ""),
        *tkdn_tokens(product.tkdn_percent, vendor.tkdn_certified),
        vendor_search_text(vendor) if vendor_text is None else vendor_text,
    ]
    return " ".join(p for p in parts if p)


async def reindex_product(session: AsyncSession, product: Product) -> None:
    """Recompute one product's `search_text` (call after writing the product; flushes, never commits)."""
    if product.vendor_id is None:
        await session.flush()
    vendor = await session.get_one(Vendor, product.vendor_id)
    new_text = product_search_text(product, vendor)
    if product.search_text != new_text:
        product.search_text = new_text
    await session.flush()
    note_indexed(session, new_text)


async def reindex_products(session: AsyncSession, products: Iterable[Product]) -> int:
    """Recompute several products' `search_text`; returns how many changed (flushes, never commits)."""
    changed = 0
    vendors: dict[int, Vendor] = {}
    for product in products:
        vendor = vendors.get(product.vendor_id)
        if vendor is None:
            vendor = vendors[product.vendor_id] = await session.get_one(Vendor, product.vendor_id)
            vendor.search_text = vendor_search_text(vendor)
        new_text = product_search_text(product, vendor, vendor.search_text)
        if product.search_text != new_text:
            product.search_text = new_text
            note_indexed(session, new_text)
            changed += 1
    await session.flush()
    return changed


async def reindex_vendor(session: AsyncSession, vendor_id: int) -> int:
    """Recompute a vendor's and all its products' index texts after a vendor edit; returns products changed."""
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        return 0
    vendor.search_text = vendor_search_text(vendor)
    products = (await session.scalars(select(Product).where(Product.vendor_id == vendor_id))).all()
    changed = await reindex_products(session, products)
    await session.flush()
    return changed


_VENDOR_COLUMNS = (
    Vendor.id,
    Vendor.business_name,
    Vendor.description,
    Vendor.kecamatan,
    Vendor.kelurahan,
    Vendor.address,
    Vendor.ekatalog,
    Vendor.tkdn_certified,
    Vendor.halal,
    Vendor.search_text,
)


def _keep_updated_at(model: type[Product] | type[Vendor]) -> Update:
    # Core UPDATE by id that sets search_text and leaves updated_at alone (re-indexing is not an edit).
    table = model.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("pid"))
        .values(search_text=bindparam("text"), updated_at=table.c.updated_at)
    )


async def rebuild_index(session: AsyncSession) -> int:
    """Recompute every index text in bulk (keeps `updated_at`), then rebuild the FTS5 table; never commits.

    Returns the number of products whose text changed. Use after bulk inserts, a change of the word lists,
    or a migration that dropped the FTS5 triggers.
    """
    vendors = {v.id: v for v in (await session.execute(select(*_VENDOR_COLUMNS))).all()}
    vendor_texts = {vid: vendor_search_text(v) for vid, v in vendors.items()}
    vendor_params = [{"pid": vid, "text": t} for vid, t in vendor_texts.items() if t != vendors[vid].search_text]
    if vendor_params:
        await session.execute(_keep_updated_at(Vendor), vendor_params)
    stmt = _keep_updated_at(Product)
    changed, last_id = 0, 0
    columns = (Product.id, Product.vendor_id, Product.name, Product.category, Product.description)
    while True:
        query = select(*columns, Product.tkdn_percent, Product.search_text).where(Product.id > last_id)
        rows = (await session.execute(query.order_by(Product.id).limit(_BATCH))).all()
        if not rows:
            break
        last_id = rows[-1].id
        params = []
        for row in rows:
            new_text = product_search_text(row, vendors[row.vendor_id], vendor_texts[row.vendor_id])
            if new_text != row.search_text:
                params.append({"pid": row.id, "text": new_text})
        if params:
            await session.execute(stmt, params)
            changed += len(params)
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("INSERT INTO products_fts(products_fts) VALUES ('rebuild')"))
        await session.execute(text("INSERT INTO products_fts(products_fts) VALUES ('optimize')"))
    invalidate_vocabulary(session)
    logger.info("search index rebuilt: %s of the product texts changed", changed)
    return changed
