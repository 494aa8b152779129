"""Unmet demand in the chat: "Catat kebutuhan saya" asks how much and by when; admins list and export needs.

The button after a search without a result (handlers/find.py) opens a two-question form (quantity, needed-by
date; both may be skipped) and records the need with bot/services/needs.py, which groups it with the same
need of other buyers and tells fitting vendors once a day. `kebutuhan` (admins) lists the top unmet needs
with an XLSX export.
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
from bot.core.messages import Attachment, Choice, Reply
from bot.core.registry import Flow
from bot.services import categories, needs, parsers
from bot.services.leads import local_today
from bot.services.needs import NeedRow
from bot.services.table_export import Table, tables_xlsx
from bot.services.when import parse_local_date
from handlers.menu import menu_reply

NAME = "need"


def _date_options(ctx: Context) -> Options:
    zone = ctx.settings.bot.timezone
    return Options((), read=lambda text: parse_local_date(text, zone).isoformat())


def _show_date(_t: Translator, value: Any) -> str:
    return date.fromisoformat(str(value)).strftime("%d-%m-%Y")


async def _save(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    needed_by = values.get("needed_by")
    await needs.record(
        ctx.session,
        ctx.user,
        values.get("search_log_id"),
        quantity=values.get("quantity"),
        needed_by=date.fromisoformat(needed_by) if needed_by else None,
        today=local_today(ctx.settings.bot.timezone),
    )
    return [ctx.say("find.need_recorded"), menu_reply(ctx, "menu.title_short")]


FORM = Form(
    "need_new",
    on_save=_save,
    fields=(
        Field("quantity", parse=parsers.parse_quantity, optional=True),
        Field("needed_by", options=_date_options, display=_show_date, optional=True),
    ),
)


def record_choice(t: Translator, search_log_id: int) -> Choice:
    """The "Catat kebutuhan saya" button after a search without a result (handlers/find.py)."""
    return Choice(t("find.btn_record_need"), actions.encode(NAME, "rec", search_log_id))


def _category(t: Translator, slug: str | None) -> str:
    return categories.CATEGORIES.get(slug, slug) if slug else t("form.empty_value")


async def start(ctx: Context, _argument: str = "") -> list[Reply]:
    """`kebutuhan`: the top unmet needs (admins only; the service checks)."""
    t = ctx.t
    rows = await needs.top(ctx.session, ctx.user)
    if not rows:
        return [ctx.say("needs.none")]
    lines = [t("needs.title")]
    for n, row in enumerate(rows, start=1):
        lines.append(
            t(
                "needs.line",
                n=n,
                need=row.label,
                count=row.requests,
                quantity=row.total_quantity or "-",
                category=_category(t, row.category),
            )
        )
    export = Choice(t("needs.btn_export"), actions.encode(NAME, "export"))
    return [Reply("\n".join(lines), (export,))]


def needs_table(t: Translator, rows: list[NeedRow]) -> Table:
    """The needs as a sheet (also part of the statistics workbook)."""
    headers = [t(f"needs.column_{name}") for name in ("need", "requests", "quantity", "needed_by", "category")]
    data = [
        [
            row.label,
            row.requests,
            row.total_quantity,
            row.earliest_needed_by.strftime("%Y-%m-%d") if row.earliest_needed_by else "",
            _category(t, row.category),
        ]
        for row in rows
    ]
    return Table(t("needs.sheet"), headers, data)


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Record a need (from a search of one's own), or export the list (admins)."""
    if action.verb == "rec":
        entry = await needs.own_search(ctx.session, ctx.user, action.int_arg(0))
        if entry.need_recorded:
            return [ctx.say("find.need_recorded"), menu_reply(ctx, "menu.title_short")]
        return await FORM.start(ctx, {"search_log_id": entry.id}, intro="needs.intro")
    if action.verb == "export":
        rows = await needs.top(ctx.session, ctx.user, limit=1000)
        data = tables_xlsx([needs_table(ctx.t, rows)])
        return [Reply(ctx.t("needs.exported", n=len(rows)), attachment=Attachment("kebutuhan.xlsx", data))]
    return [ctx.say("form.old_button")]


FLOW = Flow(
    name=NAME,
    start=start,
    on_action=on_action,
    keywords=("kebutuhan", "kebutuhan belum terpenuhi", "unmet needs", "needs"),
    commands=("kebutuhan", "needs"),
    menu=MenuEntry("menu.needs", frozenset({"admin"}), order=83),
)
FORM_FLOW = FORM.flow()
