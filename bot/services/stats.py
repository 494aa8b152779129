"""Statistics for the Dinas (`statistik`, admins only): is the programme working?

One `collect` call gathers the tables: vendors and products by category and by kecamatan, claims checked vs
unchecked (a vendor's claim — NIB, TKDN, halal, e-Katalog — counts as checked when the vendor is verified by
the Dinas; per-claim checks can refine this), searches and their hit rate per week, leads by outcome, and the
top unmet needs. The numbers are plain values; wording, charts (bot/services/stats_charts.py) and the XLSX
file are made by the caller.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PermissionDenied
from bot.services import audit, leads, needs
from bot.services.needs import NeedRow
from models import Product, SearchLog, User, Vendor

CLAIMS = ("nib", "tkdn", "halal", "ekatalog")
WEEKS = 8


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Vendors and products in one group (a category slug or a kecamatan; None when unknown)."""

    group: str | None
    vendors: int
    products: int


@dataclass(frozen=True, slots=True)
class ClaimCount:
    """How many vendors claim something, and how many of those claims the Dinas checked."""

    claim: str
    checked: int
    unchecked: int


@dataclass(frozen=True, slots=True)
class WeekCount:
    """Searches in the week starting on `week` (a Monday, local time) and how many found something."""

    week: date
    searches: int
    hits: int

    @property
    def hit_rate(self) -> float:
        """Share of searches with at least one result (0 when there were none)."""
        return self.hits / self.searches if self.searches else 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    """Everything `statistik` shows."""

    vendors: int
    products: int
    by_category: list[GroupCount]
    by_kecamatan: list[GroupCount]
    claims: list[ClaimCount]
    weeks: list[WeekCount]
    leads: dict[str, int]
    needs: list[NeedRow]

    @property
    def searches(self) -> int:
        """Searches in the weeks shown."""
        return sum(w.searches for w in self.weeks)

    @property
    def hit_rate(self) -> float:
        """Share of the searches shown that found something."""
        searches = self.searches
        return sum(w.hits for w in self.weeks) / searches if searches else 0.0


def require_admin(actor: User) -> None:
    """Refuse anyone but an admin."""
    if not actor.is_admin:
        raise PermissionDenied("stats.not_allowed")


async def _grouped(session: AsyncSession, column: object) -> list[GroupCount]:
    rows = await session.execute(
        select(column, func.count(distinct(Vendor.id)), func.count(Product.id))
        .select_from(Product)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(Product.visible)
        .group_by(column)
        .order_by(func.count(Product.id).desc(), column)
    )
    return [GroupCount(group, int(v), int(p)) for group, v, p in rows]


async def _claims(session: AsyncSession) -> list[ClaimCount]:
    claimed = {
        "nib": Vendor.nib.is_not(None),
        "tkdn": Vendor.tkdn_certified,
        "halal": Vendor.halal,
        "ekatalog": Vendor.ekatalog,
    }
    out = []
    for name in CLAIMS:
        row = (
            await session.execute(
                select(
                    func.count(case((Vendor.verified, 1))),
                    func.count(case((Vendor.verified.is_(False), 1))),
                ).where(claimed[name])
            )
        ).one()
        out.append(ClaimCount(name, int(row[0]), int(row[1])))
    return out


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def _weeks(session: AsyncSession, today: date, zone: str, weeks: int) -> list[WeekCount]:
    tz = ZoneInfo(zone)
    first = _monday(today) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    rows = await session.execute(
        select(SearchLog.created_at, SearchLog.hit_count > 0).where(SearchLog.created_at >= since)
    )
    searches: Counter[date] = Counter()
    hits: Counter[date] = Counter()
    for created_at, hit in rows:
        week = _monday(created_at.astimezone(tz).date())
        searches[week] += 1
        hits[week] += int(bool(hit))
    return [WeekCount(week, searches[week], hits[week]) for week in (first + timedelta(weeks=n) for n in range(weeks))]


async def collect(session: AsyncSession, actor: User, today: date, zone: str, weeks: int = WEEKS) -> Stats:
    """The statistics as of `today` (local), for an admin."""
    require_admin(actor)
    audit.record(session, actor.id, "stats.view")
    vendors = int(await session.scalar(select(func.count()).select_from(Vendor)) or 0)
    products = int(await session.scalar(select(func.count()).select_from(Product).where(Product.visible)) or 0)
    return Stats(
        vendors=vendors,
        products=products,
        by_category=await _grouped(session, Product.category),
        by_kecamatan=await _grouped(session, Vendor.kecamatan),
        claims=await _claims(session),
        weeks=await _weeks(session, today, zone, weeks),
        leads=await leads.outcomes(session),
        needs=await needs.top_for_stats(session),
    )
