"""Leads in the chat: "Saya berminat" on a product card, the seller's answer, and both sides' lists.

"Saya berminat" opens a short form (quantity, needed-by date, a note; the form controls apply) and, on
Simpan, the seller is told through the outbox with Bisa / Siap, Tidak bisa and Tanya dulu. Tanya dulu asks
the seller for a short message that goes back to the buyer. `permintaan saya` lists a buyer's leads with
their status (and the seller's number once the seller said Bisa); `permintaan masuk` lists a seller's.
Every button names a lead id; bot/services/leads.py checks that the presser may act on it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.forms import Field, Form, Options
from bot.core.i18n import Translator
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import formatting, leads, parsers
from bot.services.leads import LeadView
from bot.services.when import parse_local_date

NAME = "lead"
INBOX = "lead_in"


def _today(ctx: Context) -> date:
    return leads.local_today(ctx.settings.bot.timezone)


def _date_options(ctx: Context) -> Options:
    zone = ctx.settings.bot.timezone
    return Options((), read=lambda text: parse_local_date(text, zone).isoformat())


def _show_date(_t: Translator, value: Any) -> str:
    return date.fromisoformat(str(value)).strftime("%d-%m-%Y")


def _parse_note(text: str) -> str:
    return parsers.parse_description(text, max_len=leads.MAX_NOTE)


def _parse_message(text: str) -> str:
    return parsers.parse_description(text, max_len=300, min_len=2)


async def _save_new(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    needed_by = values.get("needed_by")
    lead = await leads.create(
        ctx.session,
        ctx.user,
        str(values.get("product_ref") or ""),
        quantity=values.get("quantity"),
        needed_by=date.fromisoformat(needed_by) if needed_by else None,
        note=values.get("note"),
    )
    mine = Choice(ctx.t("leads.btn_mine"), actions.encode(NAME, "mine"))
    return [Reply(ctx.t("leads.sent", product=lead.product_name or "-", id=lead.id), (mine,))]


async def _save_ask(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    lead = await leads.answer(ctx.session, ctx.user, values.get("lead_id"), leads.ASK, values.get("message"))
    return [ctx.say("leads.answered_ask", id=lead.id)]


NEW_FORM = Form(
    "lead_new",
    on_save=_save_new,
    fields=(
        Field("quantity", parse=parsers.parse_quantity, optional=True),
        Field("needed_by", options=_date_options, display=_show_date, optional=True),
        Field("note", parse=_parse_note, optional=True, free_questions=True),
    ),
)
ASK_FORM = Form("lead_ask", on_save=_save_ask, fields=(Field("message", parse=_parse_message, free_questions=True),))


def interest_choice(t: Translator, product_ref: str) -> Choice:
    """The "Saya berminat" button under a product card (handlers/find.py)."""
    return Choice(t("leads.btn_interest"), actions.encode(NAME, "new", product_ref))


def _status(t: Translator, view: LeadView) -> str:
    return t(f"leads.status_{view.lead.status}")


def _line(t: Translator, n: int, view: LeadView, *, seller: bool) -> str:
    lead = view.lead
    lines = [
        t(
            "leads.line",
            n=n,
            id=lead.id,
            product=lead.product_name or "-",
            who=joined_who(view) if seller else view.vendor_name,
            status=_status(t, view),
        ),
        t(
            "leads.line_detail",
            quantity=lead.quantity or "-",
            needed_by=lead.needed_by.strftime("%d-%m-%Y") if lead.needed_by else "-",
        ),
    ]
    if lead.note:
        lines.append(t("leads.line_note", note=lead.note))
    if lead.answer == leads.ASK and lead.answer_note:
        lines.append(t("leads.line_question", message=lead.answer_note))
    if view.seller_phone:
        lines.append(t("find.seller_phone", phone=formatting.format_phone_local(view.seller_phone)))
    return "\n".join(lines)


def joined_who(view: LeadView) -> str:
    """The buyer as a seller sees them: name, and agency when verified."""
    return f"{view.buyer_name} ({view.buyer_agency})" if view.buyer_agency else view.buyer_name


async def mine(ctx: Context, _argument: str = "") -> list[Reply]:
    """`permintaan saya`: the buyer's leads and their status."""
    t = ctx.t
    views = await leads.sent_by(ctx.session, ctx.user, _today(ctx))
    if not views:
        return [ctx.say("leads.none_mine")]
    lines = [t("leads.mine_title")] + [_line(t, n, v, seller=False) for n, v in enumerate(views, start=1)]
    choices = [
        Choice(t("leads.btn_done", n=n), actions.encode(NAME, "done", v.lead.id))
        for n, v in enumerate(views, start=1)
        if v.lead.status == leads.ANSWERED
    ]
    return [Reply("\n\n".join(lines), tuple(choices))]


async def received(ctx: Context, _argument: str = "") -> list[Reply]:
    """`permintaan masuk`: the leads for the seller's business, with answer buttons on the open ones."""
    t = ctx.t
    views = await leads.received_by(ctx.session, ctx.user, _today(ctx))
    if not views:
        return [ctx.say("leads.none_received")]
    lines = [t("leads.received_title")] + [_line(t, n, v, seller=True) for n, v in enumerate(views, start=1)]
    choices: list[Choice] = []
    for n, view in enumerate(views, start=1):
        if view.lead.status == leads.NEW:
            choices.append(Choice(t("leads.btn_open", n=n), actions.encode(NAME, "open", view.lead.id)))
    return [Reply("\n\n".join(lines), tuple(choices))]


def _answer_buttons(ctx: Context, lead_id: int) -> tuple[Choice, ...]:
    return tuple(
        Choice(ctx.t(f"leads.btn_{reply}"), actions.encode(NAME, "ans", lead_id, reply)) for reply in leads.ANSWERS
    )


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Interest, answers, done, and the lists; the service checks every lead id against the presser."""
    verb = action.verb
    if verb == "new":
        product_ref = action.arg(0)
        if not product_ref:
            return [ctx.say("form.old_button")]
        return await NEW_FORM.start(ctx, {"product_ref": product_ref}, intro="leads.intro")
    if verb == "mine":
        return await mine(ctx)
    if verb == "in":
        return await received(ctx)
    lead_id = action.int_arg(0)
    if verb == "open":
        lead, _vendor = await leads.for_seller(ctx.session, ctx.user, lead_id)
        return [Reply(ctx.t("leads.open", id=lead.id, product=lead.product_name or "-"), _answer_buttons(ctx, lead.id))]
    if verb == "ans":
        reply = action.arg(1)
        if reply == leads.ASK:
            lead, _vendor = await leads.for_seller(ctx.session, ctx.user, lead_id)
            return await ASK_FORM.start(ctx, {"lead_id": lead.id}, intro="leads.ask_intro", id=lead.id)
        lead = await leads.answer(ctx.session, ctx.user, lead_id, reply)
        return [ctx.say(f"leads.answered_{reply}", id=lead.id)]
    if verb == "done":
        lead = await leads.close(ctx.session, ctx.user, lead_id)
        return [ctx.say("leads.closed", id=lead.id)]
    return [ctx.say("form.old_button")]


FLOW = Flow(
    name=NAME,
    start=mine,
    on_action=on_action,
    keywords=("permintaan saya", "minat saya", "my requests", "my leads"),
    commands=("permintaan",),
    menu=MenuEntry("menu.leads_mine", frozenset({"buyer", "opd"}), order=40),
)
INBOX_FLOW = Flow(
    name=INBOX,
    start=received,
    keywords=("permintaan masuk", "pesanan masuk", "incoming requests"),
    commands=("masuk",),
    menu=MenuEntry("menu.leads_received", frozenset({"vendor"}), order=35),
)
NEW_FLOW = NEW_FORM.flow()
ASK_FLOW = ASK_FORM.flow()
