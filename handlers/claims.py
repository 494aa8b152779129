"""Admin: `periksa klaim` lists the businesses whose claims (NIB, TKDN certificate, a product's TKDN %,
halal certificate, e-Katalog) the Dinas has not checked, ten a page; opening one shows each claim with
Benar / Tolak. Tolak asks for a reason. The vendor is told the outcome through the outbox, and the
"Terverifikasi Dinas" badge follows (bot/services/claims.py, which also refuses anyone but an admin).
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import claims, conversations
from bot.services.claims import Claim
from bot.services.conversations import State
from handlers.common import read_reason
from models import Vendor

NAME = "claims"
PAGE = 10


def claim_line(ctx: Context, claim: Claim) -> str:
    """One claim and its value, e.g. "Sertifikat TKDN: 1234/TKDN/2026"."""
    t = ctx.t
    kind = t(f"claims.kind_{claim.kind}")
    if claim.kind == "tkdn_percent":
        return t("claims.line_product", kind=kind, product=claim.product_name or "", value=claim.value)
    return t("claims.line", kind=kind, value=claim.value or t("claims.no_value"))


async def queue(ctx: Context, offset: int = 0) -> list[Reply]:
    """One page of businesses with unchecked claims."""
    page = await claims.pending(ctx.session, ctx.user, offset, PAGE)
    t = ctx.t
    if not page.vendors:
        return [ctx.say("claims.none_pending")]
    lines = [t("claims.queue_title", first=page.offset + 1, last=page.offset + len(page.vendors), total=page.total)]
    choices: list[Choice] = []
    for number, (vendor, found) in enumerate(page.vendors, start=page.offset + 1):
        unchecked = sum(c.status == claims.UNCHECKED for c in found)
        text = t(
            "claims.vendor_line",
            business=vendor.business_name,
            owner=vendor.owner_name or t("form.empty_value"),
            kecamatan=vendor.kecamatan or t("form.empty_value"),
            count=unchecked,
        )
        lines.append(t("verify.numbered", n=number, text=text))
        choices.append(Choice(t("claims.btn_open", n=number), actions.encode(NAME, "v", vendor.id)))
    if page.offset > 0:
        choices.append(Choice(t("verify.btn_prev"), actions.encode(NAME, "q", max(0, page.offset - PAGE))))
    if page.offset + PAGE < page.total:
        choices.append(Choice(t("verify.btn_next"), actions.encode(NAME, "q", page.offset + PAGE)))
    return [Reply("\n".join(lines), tuple(choices))]


def _vendor_reply(ctx: Context, vendor: Vendor, found: list[Claim]) -> Reply:
    t = ctx.t
    lines = [t("claims.vendor_title", business=vendor.business_name)]
    choices: list[Choice] = []
    for number, claim in enumerate(found, start=1):
        status = t(f"claims.status_{claim.status}")
        lines.append(
            t("verify.numbered", n=number, text=t("claims.with_status", line=claim_line(ctx, claim), status=status))
        )
        if claim.status != claims.APPROVED:
            choices.append(
                Choice(t("claims.btn_approve", n=number), actions.encode(NAME, "ok", vendor.id, claim.token))
            )
        if claim.status != claims.REJECTED:
            choices.append(Choice(t("claims.btn_reject", n=number), actions.encode(NAME, "no", vendor.id, claim.token)))
    choices.append(Choice(t("claims.btn_back"), actions.encode(NAME, "q", 0)))
    return Reply("\n".join(lines), tuple(choices))


async def show_vendor(ctx: Context, vendor_id: int | None) -> list[Reply]:
    """A business's claims, each with Benar / Tolak."""
    vendor, found = await claims.vendor_claims(ctx.session, ctx.user, vendor_id)
    return [_vendor_reply(ctx, vendor, found)]


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """`periksa klaim`."""
    return await queue(ctx)


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Page, open a business, approve a claim, or ask the reason to reject one."""
    if action.verb == "q":
        return await queue(ctx, action.int_arg(0) or 0)
    if action.verb == "v":
        return await show_vendor(ctx, action.int_arg(0))
    if action.verb == "ok":
        await claims.check(ctx.session, ctx.user, action.int_arg(0), action.arg(1), approve=True)
        return [ctx.say("claims.approved"), *await show_vendor(ctx, action.int_arg(0))]
    if action.verb == "no":
        await claims.vendor_claims(ctx.session, ctx.user, action.int_arg(0))  # refuses a non-admin first
        data = {"vendor": action.int_arg(0), "token": action.arg(1)}
        await conversations.begin(ctx.session, ctx.user.id, NAME, "reason", data)
        return [ctx.say("verify.ask_reason")]
    return [ctx.say("form.old_button")]


async def resume(ctx: Context, state: State) -> list[Reply] | None:
    """The typed reason for rejecting a claim; `batal` drops it."""
    reason = await read_reason(ctx)
    if not isinstance(reason, str):
        return reason
    vendor_id = state.data.get("vendor")
    vendor_id = vendor_id if isinstance(vendor_id, int) else None
    await claims.check(ctx.session, ctx.user, vendor_id, str(state.data.get("token", "")), approve=False, reason=reason)
    return [ctx.say("claims.rejected"), *await show_vendor(ctx, vendor_id)]


FLOW = Flow(
    name=NAME,
    start=start,
    resume=resume,
    on_action=on_action,
    keywords=("periksa klaim", "klaim usaha", "verifikasi usaha", "check claims"),
    menu=MenuEntry("menu.claims", frozenset({"admin"}), order=79),
)
