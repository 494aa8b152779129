"""Unmet demand: what buyers searched for and found no seller, grouped by the search's normal form.

"Catat kebutuhan saya" after a search without a result records a `NeedRequest` (quantity, needed-by date)
under one `Need` per normalised text (bot/services/search/text.py `normalize`: "Kripik Talas?" and "keripik
talas" are one need), counting the requests. Vendors whose category fits the need are told ("Ada instansi yang
mencari …") through the outbox at most once a day per need: the row's dedupe key names the need, the vendor
and the local day. The category is the one a question names ("makanan …") or, failing that, the one most
products sharing a word with the need are in. Admins list the top needs (`kebutuhan`) and export them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import audit
from bot.services.categories import CATEGORY_WORDS
from bot.services.notify import queue as tell
from bot.services.outbox import notice
from bot.services.search import text as search_text
from models import Need, NeedRequest, Product, SearchLog, User, Vendor, utcnow

NOTICE_KEY = "needs.notice_vendor"
NOTICE = "need"  # the outbox kind of a vendor's "someone is looking for …"
MAX_LABEL = 200


@dataclass(frozen=True, slots=True)
class NeedRow:
    """One grouped need as admins see it."""

    label: str
    normalized: str
    category: str | None
    requests: int
    total_quantity: int
    earliest_needed_by: date | None
    last_requested_at: datetime


def require_admin(actor: User) -> None:
    """Refuse anyone but an admin."""
    if not actor.is_admin:
        raise PermissionDenied("needs.not_allowed")


def _named_category(query: str) -> str | None:
    words = search_text.raw_words(query)
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            slug = CATEGORY_WORDS.get(tuple(words[start : start + size]))
            if slug is not None:
                return slug
    return None


async def guess_category(session: AsyncSession, query: str, normalized: str) -> str | None:
    """The category a need belongs to: named in the question, else the commonest among related products."""
    named = _named_category(query)
    if named is not None:
        return named
    terms = [w for w in normalized.split() if len(w) >= 3]
    if not terms:
        return None
    # search_text holds space-separated index terms; pad both sides so a term matches whole words only.
    padded = literal(" ") + Product.search_text + " "
    row = await session.execute(
        select(Product.category, func.count())
        .where(Product.visible, or_(*(padded.contains(f" {term} ") for term in terms)))
        .group_by(Product.category)
        .order_by(func.count().desc(), Product.category)
        .limit(1)
    )
    found = row.first()
    return str(found[0]) if found is not None else None


async def _fitting_vendor_users(session: AsyncSession, category: str) -> list[tuple[int, int]]:
    """(vendor id, user id) of vendors with a visible product in `category` who still take announcements."""
    rows = await session.execute(
        select(Vendor.id, Vendor.user_id)
        .join(User, User.id == Vendor.user_id)
        .where(
            User.announcements,
            Vendor.id.in_(select(Product.vendor_id).where(Product.category == category, Product.visible)),
        )
        .order_by(Vendor.id)
    )
    return [(int(v), int(u)) for v, u in rows]


async def own_search(session: AsyncSession, user: User, search_log_id: int | None) -> SearchLog:
    """One of this user's logged searches (a button payload is a request, not a permission)."""
    entry = await session.get(SearchLog, search_log_id) if search_log_id else None
    if entry is None:
        raise NotFound("needs.not_found")
    if entry.user_id is None or entry.user_id != user.id:
        raise PermissionDenied("needs.not_yours")
    return entry


async def record(
    session: AsyncSession,
    user: User,
    search_log_id: int | None,
    *,
    quantity: int | None,
    needed_by: date | None,
    today: date,
) -> Need:
    """Record the need behind one of this user's searches and tell fitting vendors (once a day per need).

    Recording the same search twice updates its quantity and date and counts it once.
    """
    entry = await own_search(session, user, search_log_id)
    if quantity is not None and quantity < 1:
        raise ValidationError("leads.bad_quantity")
    normalized = (search_text.normalize(entry.query) or " ".join(search_text.raw_words(entry.query)))[:MAX_LABEL]
    if not normalized:
        raise ValidationError("needs.empty")
    need = await session.scalar(select(Need).where(Need.normalized == normalized))
    if need is None:
        category = await guess_category(session, entry.query, normalized)
        label = " ".join(entry.query.split()).strip(" ?!.")[:MAX_LABEL] or normalized
        need = Need(normalized=normalized, label=label, category=category, request_count=0)
        try:
            async with session.begin_nested():  # another buyer may record the same new need at this moment
                session.add(need)
        except IntegrityError:
            need = await session.scalar(select(Need).where(Need.normalized == normalized))
            if need is None:
                raise
    request = await session.scalar(select(NeedRequest).where(NeedRequest.search_log_id == entry.id))
    if request is None:
        request = NeedRequest(need_id=need.id, search_log_id=entry.id, user_id=user.id)
        session.add(request)
        need.request_count += 1
    request.quantity = quantity
    request.needed_by = needed_by
    need.last_requested_at = utcnow()
    entry.need_recorded = True
    await session.flush()
    audit.record(session, user.id, "need.record", f"need:{need.id}")
    if need.category:
        await _tell_vendors(session, need, today)
    return need


async def _tell_vendors(session: AsyncSession, need: Need, today: date) -> int:
    payload = notice(key=NOTICE_KEY, params={"need": need.label, "count": need.request_count})
    told = 0
    for vendor_id, user_id in await _fitting_vendor_users(session, str(need.category)):
        key = f"need:{need.id}:vendor:{vendor_id}:{today:%Y%m%d}"
        if await tell(session, user_id, payload, dedupe_key=key, kind=NOTICE):
            told += 1
    return told


async def top(session: AsyncSession, actor: User, limit: int = 10) -> list[NeedRow]:
    """The most requested unmet needs, for admins (`kebutuhan`)."""
    require_admin(actor)
    return await _rows(session, limit)


async def _rows(session: AsyncSession, limit: int) -> list[NeedRow]:
    rows = await session.execute(
        select(
            Need.label,
            Need.normalized,
            Need.category,
            Need.request_count,
            func.coalesce(func.sum(NeedRequest.quantity), 0),
            func.min(NeedRequest.needed_by),
            Need.last_requested_at,
        )
        .outerjoin(NeedRequest, NeedRequest.need_id == Need.id)
        .group_by(Need.id)
        .order_by(Need.request_count.desc(), Need.last_requested_at.desc(), Need.id)
        .limit(limit)
    )
    return [NeedRow(label, norm, cat, int(n), int(q or 0), by, last) for label, norm, cat, n, q, by, last in rows]


async def top_for_stats(session: AsyncSession, limit: int = 10) -> list[NeedRow]:
    """The top needs for the statistics (the caller checked the admin)."""
    return await _rows(session, limit)
