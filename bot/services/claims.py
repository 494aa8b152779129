"""Vendor claims are claims until the Dinas checks them: NIB, TKDN certificate, a product's TKDN %, halal
certificate, e-Katalog listing.

A check (a `vendor_claims` row) holds for the value it was made on: the claim counts as checked only while
the vendor's current value equals it, so editing a claim (in the chat or by an import) makes it unchecked
again without any hook in the writers. Buyers see "(belum diperiksa Dinas)" next to an unchecked claim,
search ranks on checked claims only (`checked_mask` for the SQL, used by search/retrieval.py), and the
vendor's "Terverifikasi Dinas" badge (`vendors.verified`) follows: on when every stated claim is approved.
Admins approve or reject each claim with a reason; the vendor is told through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, String, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import audit, notify, parsers
from models import Product, User, Vendor, VendorClaim, utcnow

APPROVED = "approved"
REJECTED = "rejected"
UNCHECKED = "unchecked"
KINDS = ("nib", "tkdn", "tkdn_percent", "halal", "ekatalog")
PERCENT = "tkdn_percent:"
MAX_REASON = 300


@dataclass(frozen=True)
class Claim:
    """One thing a vendor states, its current value and whether the Dinas checked that value."""

    key: str  # "nib", "tkdn", "halal", "ekatalog", "tkdn_percent:<product_ref>"
    kind: str
    value: str
    number: Decimal | None
    status: str
    reason: str | None = None
    product_name: str | None = None
    product_id: int | None = None

    @property
    def token(self) -> str:
        """A short name for a button payload: the kind, or `p<product id>` for a product's TKDN %."""
        return f"p{self.product_id}" if self.product_id is not None else self.kind


def _vendor_values(vendor: Vendor) -> dict[str, str]:
    values: dict[str, str] = {}
    if vendor.nib:
        values["nib"] = vendor.nib
    if vendor.tkdn_certified:
        values["tkdn"] = vendor.tkdn_number or ""
    if vendor.halal or vendor.halal_number:
        values["halal"] = vendor.halal_number or ""
    if vendor.ekatalog:
        values["ekatalog"] = vendor.ekatalog_url or ""
    return values


async def claims_of(session: AsyncSession, vendor: Vendor) -> list[Claim]:
    """Every claim the vendor states now, with its check status."""
    checks = {c.claim: c for c in await session.scalars(select(VendorClaim).where(VendorClaim.vendor_id == vendor.id))}
    found: list[Claim] = []

    def add(key: str, kind: str, value: str, number: Decimal | None, product: tuple[int, str] | None = None) -> None:
        check = checks.get(key)
        same = check is not None and (check.number == number if number is not None else check.value == value)
        status = check.status if check is not None and same else UNCHECKED
        reason = check.reason if same and check else None
        product_id, name = product if product else (None, None)
        found.append(Claim(key, kind, value, number, status, reason, name, product_id))

    for key, value in _vendor_values(vendor).items():
        add(key, key, value, None)
    products = await session.execute(
        select(Product.id, Product.product_ref, Product.name, Product.tkdn_percent)
        .where(Product.vendor_id == vendor.id, Product.tkdn_percent.is_not(None), Product.tkdn_percent > 0)
        .order_by(Product.id)
    )
    for product_id, ref, name, percent in products:
        add(PERCENT + ref, "tkdn_percent", _plain(Decimal(percent)), Decimal(percent), (product_id, name))
    return found


def _plain(number: Decimal) -> str:
    """`45.00` -> `45`, `41.20` -> `41.2`."""
    return str(number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize())


# Bits of `checked_mask`, in `Candidate`'s order of the four checked fields.
TKDN_CHECKED, PERCENT_CHECKED, EKATALOG_CHECKED, HALAL_CHECKED = 1, 2, 4, 8


def checked_mask() -> ColumnElement[int]:
    """SQL for a search row (Product joined to Vendor): which of its claims the Dinas approved for their current
    values, as bits (`TKDN_CHECKED` ...). One correlated subquery a row, not one per claim: a search reads
    this for each of its up to 50 rows, and four lookups a row cost about as much as the full-text match.
    A vendor has at most one check per claim (unique), so the sum of the matching bits is their union."""

    def stated(claim: str, value: ColumnElement[str | None]) -> ColumnElement[bool]:
        return and_(VendorClaim.claim == claim, VendorClaim.value == func.coalesce(value, ""))

    percent = and_(
        VendorClaim.claim == literal(PERCENT, String) + Product.product_ref, VendorClaim.number == Product.tkdn_percent
    )
    conditions = (
        (TKDN_CHECKED, stated("tkdn", Vendor.tkdn_number)),
        (PERCENT_CHECKED, percent),
        (EKATALOG_CHECKED, stated("ekatalog", Vendor.ekatalog_url)),
        (HALAL_CHECKED, stated("halal", Vendor.halal_number)),
    )
    bits = [case((condition, bit), else_=0) for bit, condition in conditions]
    checked = select(func.coalesce(func.sum(bits[0] + bits[1] + bits[2] + bits[3]), 0)).where(
        VendorClaim.vendor_id == Vendor.id, VendorClaim.status == APPROVED
    )
    return checked.scalar_subquery().label("checked")


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied()


async def refresh_verified(session: AsyncSession, vendor: Vendor, *, grant: bool = True) -> bool:
    """`vendors.verified` ("Terverifikasi Dinas"): on when the vendor states claims and all are approved, off
    as soon as one is not. With `grant=False` (after the vendor edited something) it can only go off."""
    found = await claims_of(session, vendor)
    all_approved = all(c.status == APPROVED for c in found)
    verified = (bool(found) and all_approved) if grant else (vendor.verified and all_approved)
    if verified != vendor.verified:
        vendor.verified = verified
        vendor.verified_at = utcnow() if verified else None
    return verified


@dataclass(frozen=True)
class VendorPage:
    """Vendors with claims to check, one page, with their claims."""

    vendors: list[tuple[Vendor, list[Claim]]]
    total: int
    offset: int


async def pending(session: AsyncSession, actor: User, offset: int = 0, limit: int = 10) -> VendorPage:
    """Vendors with at least one unchecked claim, oldest first (admins only)."""
    _require_admin(actor)
    waiting: list[tuple[Vendor, list[Claim]]] = []
    for vendor in await session.scalars(select(Vendor).order_by(Vendor.created_at, Vendor.id)):
        found = await claims_of(session, vendor)
        if any(c.status == UNCHECKED for c in found):
            waiting.append((vendor, found))
    offset = max(0, min(offset, max(0, len(waiting) - 1)))
    return VendorPage(waiting[offset : offset + limit], len(waiting), offset)


async def vendor_claims(session: AsyncSession, actor: User, vendor_id: int | None) -> tuple[Vendor, list[Claim]]:
    """One vendor and its claims (admins only)."""
    _require_admin(actor)
    vendor = await session.get(Vendor, vendor_id) if vendor_id is not None else None
    if vendor is None:
        raise NotFound()
    return vendor, await claims_of(session, vendor)


async def check(
    session: AsyncSession, actor: User, vendor_id: int | None, token: str, approve: bool, reason: str = ""
) -> Claim:
    """Approve or reject (with a reason) the current value of one claim (named by its `token`); the vendor is
    told (admins only)."""
    vendor, found = await vendor_claims(session, actor, vendor_id)
    claim = next((c for c in found if c.token == token), None)
    if claim is None:
        raise ValidationError("claims.gone")
    note = None if approve else parsers.parse_description(reason, max_len=MAX_REASON)
    row = await session.scalar(
        select(VendorClaim).where(VendorClaim.vendor_id == vendor.id, VendorClaim.claim == claim.key)
    )
    if row is None:
        row = VendorClaim(vendor_id=vendor.id, claim=claim.key)
        session.add(row)
    row.value, row.number = claim.value[:500], claim.number
    row.status = APPROVED if approve else REJECTED
    row.reason, row.checked_by, row.checked_at = note, actor.id, utcnow()
    await session.flush()
    await refresh_verified(session, vendor)
    audit.record(
        session, actor.id, "claim.approve" if approve else "claim.reject", f"vendor:{vendor.vendor_ref}", claim.kind
    )
    if vendor.user_id is not None:
        verdict = "approved" if approve else "rejected"
        params = {"value": claim.value, "product": claim.product_name or "", "reason": note or ""}
        await notify.tell(session, vendor.user_id, f"claims.notice_{verdict}_{claim.kind}", params)
    return Claim(
        claim.key, claim.kind, claim.value, claim.number, row.status, note, claim.product_name, claim.product_id
    )


async def import_checks(session: AsyncSession, vendor: Vendor, actor_user_id: int | None = None) -> int:
    """Mark every claim the vendor states now as approved (an admin's import file said `checked`)."""
    found = await claims_of(session, vendor)
    for claim in found:
        row = await session.scalar(
            select(VendorClaim).where(VendorClaim.vendor_id == vendor.id, VendorClaim.claim == claim.key)
        )
        if row is None:
            row = VendorClaim(vendor_id=vendor.id, claim=claim.key)
            session.add(row)
        row.value, row.number, row.status, row.reason = claim.value[:500], claim.number, APPROVED, None
        row.checked_by, row.checked_at = actor_user_id, utcnow()
    await session.flush()
    await refresh_verified(session, vendor)
    return len(found)
