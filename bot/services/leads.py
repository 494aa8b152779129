"""Leads: a buyer says "Saya berminat" on a product; the seller answers Bisa / Tidak bisa / Tanya dulu.

A lead starts `new`. The seller is told through the outbox on their latest channel, with three buttons; their
answer makes it `answered` (Bisa, or Tanya dulu with a short message) or `declined` (Tidak bisa), and the
buyer is told the same way. Either side may close an answered lead as `done`; a lead whose needed-by date
has passed without being closed becomes `expired` (`expire_due`, run whenever leads are listed).

The buyer sees the seller's phone number only when the seller answered Bisa, or when the phone rules of
bot/services/sellers.py already let them see it. Every action checks here that the actor is the lead's
buyer or the product's seller: a forged or foreign lead id is refused (NotFound / PermissionDenied) and the
dispatcher writes the refusal to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound, PermissionDenied, ValidationError
from bot.services import audit, formatting
from bot.services.accounts import can_see_vendor_phones
from bot.services.notify import queue as tell
from bot.services.outbox import notice
from models import Lead, Product, User, Vendor, utcnow

NEW, ANSWERED, DONE, DECLINED, EXPIRED = "new", "answered", "done", "declined", "expired"
STATUSES = (NEW, ANSWERED, DONE, DECLINED, EXPIRED)
OPEN = (NEW, ANSWERED)
YES, NO, ASK = "yes", "no", "ask"
ANSWERS = (YES, NO, ASK)
NOTICE = "lead"
PREFIX = "lead"  # the button prefix of handlers/leads.py (answer buttons travel inside outbox notices)
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class LeadView:
    """A lead as one of its two sides sees it."""

    lead: Lead
    vendor_name: str
    buyer_name: str
    buyer_agency: str | None
    seller_phone: str | None  # only when this viewer may see it


def _buyer_may_see_phone(lead: Lead, vendor: Vendor, buyer: User | None) -> bool:
    if lead.answer == YES and lead.status in (ANSWERED, DONE):
        return True
    if buyer is None:
        return False
    return vendor.phone_visibility == "all" or can_see_vendor_phones(buyer)


def _check_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = " ".join(note.split())[:MAX_NOTE]
    return note or None


async def create(
    session: AsyncSession,
    buyer: User,
    product_ref: str,
    *,
    quantity: int | None,
    needed_by: date | None,
    note: str | None,
) -> Lead:
    """Record a buyer's interest in a visible product and tell its seller (buttons Bisa / Tidak bisa / Tanya)."""
    product = await session.scalar(select(Product).where(Product.product_ref == product_ref)) if product_ref else None
    vendor = await session.get(Vendor, product.vendor_id) if product is not None else None
    if product is None or vendor is None or not product.visible:
        raise NotFound("find.product_gone")
    if vendor.user_id == buyer.id:
        raise ValidationError("leads.own_product")
    if quantity is not None and quantity < 1:
        raise ValidationError("leads.bad_quantity")
    lead = Lead(
        buyer_user_id=buyer.id,
        vendor_id=vendor.id,
        product_id=product.id,
        product_name=product.name,
        quantity=str(quantity) if quantity is not None else None,
        needed_by=needed_by,
        note=_check_note(note),
        status=NEW,
    )
    session.add(lead)
    await session.flush()
    audit.record(session, buyer.id, "lead.create", f"lead:{lead.id}")
    who = buyer.opd_name if buyer.opd_verified and buyer.opd_name else None
    payload = notice(
        key="leads.notice_new",
        params={
            "id": lead.id,
            "product": product.name,
            "quantity": lead.quantity or "-",
            "needed_by": needed_by.strftime("%d-%m-%Y") if needed_by else "-",
            "note": lead.note or "-",
            "buyer": who or buyer.display_name or "-",
        },
        choices=[
            ("leads.btn_yes", f"{PREFIX}:ans:{lead.id}:{YES}"),
            ("leads.btn_no", f"{PREFIX}:ans:{lead.id}:{NO}"),
            ("leads.btn_ask", f"{PREFIX}:ans:{lead.id}:{ASK}"),
        ],
    )
    await tell(session, vendor.user_id, payload, kind=NOTICE)
    return lead


async def for_seller(session: AsyncSession, actor: User, lead_id: int | None) -> tuple[Lead, Vendor]:
    lead = await session.get(Lead, lead_id) if lead_id else None
    vendor = await session.get(Vendor, lead.vendor_id) if lead is not None and lead.vendor_id else None
    if lead is None or vendor is None:
        raise NotFound("leads.not_found")
    if vendor.user_id is None or vendor.user_id != actor.id:
        raise PermissionDenied("leads.not_yours")
    return lead, vendor


async def answer(
    session: AsyncSession, actor: User, lead_id: int | None, reply: str, message: str | None = None
) -> Lead:
    """The seller's answer: Bisa (answered, number shown), Tidak bisa (declined), Tanya dulu (with a message)."""
    if reply not in ANSWERS:
        raise ValidationError("form.old_button")
    lead, vendor = await for_seller(session, actor, lead_id)
    if lead.status not in OPEN:
        raise ValidationError("leads.closed_already")
    if reply == YES and lead.answer == YES:
        return lead  # the same button pressed again: the buyer was told already
    now = utcnow()
    lead.answer = reply
    lead.answer_note = _check_note(message)
    lead.answered_at = now
    lead.status = DECLINED if reply == NO else ANSWERED
    if reply == NO:
        lead.closed_at = now
    audit.record(session, actor.id, "lead.answer", f"lead:{lead.id}", f"answer:{reply}")
    buyer = await session.get(User, lead.buyer_user_id) if lead.buyer_user_id else None
    params: dict[str, object] = {"id": lead.id, "product": lead.product_name or "-", "business": vendor.business_name}
    if reply == YES:
        phone = vendor.phone if _buyer_may_see_phone(lead, vendor, buyer) else None
        params["phone"] = formatting.format_phone_local(phone) if phone else "-"
    if reply == ASK:
        params["message"] = lead.answer_note or "-"
    await tell(session, lead.buyer_user_id, notice(key=f"leads.notice_answer_{reply}", params=params), kind=NOTICE)
    await session.flush()
    return lead


async def close(session: AsyncSession, actor: User, lead_id: int | None) -> Lead:
    """Mark an answered lead done: its buyer or its seller may."""
    lead = await session.get(Lead, lead_id) if lead_id else None
    if lead is None:
        raise NotFound("leads.not_found")
    vendor = await session.get(Vendor, lead.vendor_id) if lead.vendor_id else None
    if actor.id != lead.buyer_user_id and (vendor is None or vendor.user_id != actor.id):
        raise PermissionDenied("leads.not_yours")
    if lead.status != ANSWERED:
        raise ValidationError("leads.closed_already" if lead.status not in OPEN else "leads.not_answered")
    lead.status = DONE
    lead.closed_at = utcnow()
    audit.record(session, actor.id, "lead.done", f"lead:{lead.id}")
    await session.flush()
    return lead


async def expire_due(session: AsyncSession, today: date) -> int:
    """Open leads whose needed-by day is before `today` become expired; how many."""
    result = await session.execute(
        update(Lead)
        .where(Lead.status.in_(OPEN), Lead.needed_by.is_not(None), Lead.needed_by < today)
        .values(status=EXPIRED, closed_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _views(session: AsyncSession, viewer: User, leads: list[Lead]) -> list[LeadView]:
    views = []
    for lead in leads:
        vendor = await session.get(Vendor, lead.vendor_id) if lead.vendor_id else None
        buyer = await session.get(User, lead.buyer_user_id) if lead.buyer_user_id else None
        phone = None
        if vendor is not None and viewer.id == lead.buyer_user_id and _buyer_may_see_phone(lead, vendor, buyer):
            phone = vendor.phone
        views.append(
            LeadView(
                lead=lead,
                vendor_name=vendor.business_name if vendor is not None else "-",
                buyer_name=(buyer.display_name or "-") if buyer is not None else "-",
                buyer_agency=buyer.opd_name if buyer is not None and buyer.opd_verified else None,
                seller_phone=phone,
            )
        )
    return views


async def sent_by(session: AsyncSession, buyer: User, today: date, limit: int = 10) -> list[LeadView]:
    """A buyer's leads, newest first (`permintaan saya`)."""
    await expire_due(session, today)
    rows = await session.scalars(
        select(Lead).where(Lead.buyer_user_id == buyer.id).order_by(Lead.id.desc()).limit(limit)
    )
    return await _views(session, buyer, list(rows))


async def received_by(session: AsyncSession, seller: User, today: date, limit: int = 10) -> list[LeadView]:
    """The leads for a seller's business, open ones first, newest first (`permintaan masuk`)."""
    await expire_due(session, today)
    vendor_ids = select(Vendor.id).where(Vendor.user_id == seller.id)
    rows = await session.scalars(
        select(Lead)
        .where(Lead.vendor_id.in_(vendor_ids))
        .order_by(or_(Lead.status == NEW, Lead.status == ANSWERED).desc(), Lead.id.desc())
        .limit(limit)
    )
    return await _views(session, seller, list(rows))


async def outcomes(session: AsyncSession) -> dict[str, int]:
    """How many leads are in each status (statistics)."""
    rows = await session.execute(select(Lead.status, func.count()).group_by(Lead.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({str(status): int(n) for status, n in rows})
    return counts


def local_today(zone: str, now: datetime | None = None) -> date:
    """Today in the region's time zone."""
    return (now or datetime.now(ZoneInfo(zone))).astimezone(ZoneInfo(zone)).date()
