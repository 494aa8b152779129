"""Data rights (UU PDP): `data saya` shows what is stored; `hapus data saya` deletes it after a confirmation.

Deletion removes the business, its products and the user's contact data at once (the law allows 3x24
hours; we do it immediately). Leads keep an anonymised trace. The user can keep using the bot as a browser.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow, MenuEntry
from bot.services import privacy
from handlers.common import show_phone
from handlers.menu import menu_reply
from handlers.register_vendor import VISIBILITY_LABELS

NAME = "data"
ROLE_KEYS = {"vendor": "start.role_vendor", "opd": "start.role_opd", "buyer": "start.role_buyer"}


async def show(ctx: Context, _argument: str) -> list[Reply]:
    """Lists everything stored about the user."""
    t = ctx.t
    data = await privacy.stored_data(ctx.session, ctx.user)
    user = data.user
    empty = t("form.empty_value")
    lines = [
        t("data.title"),
        t("data.name", value=user.display_name or empty),
        t("data.phone", value=show_phone(t, user.phone) if user.phone else empty),
        t("data.role", value=t(ROLE_KEYS.get(user.role or "buyer", "start.role_buyer"))),
        t("data.accounts", value=", ".join(t(f"channel.{i.channel}") for i in data.identities)),
        t("data.consent", value=user.consented_at.strftime("%d-%m-%Y %H:%M UTC") if user.consented_at else empty),
    ]
    vendor = data.vendor
    if vendor is not None:
        lines += [
            t("data.business", value=vendor.business_name),
            t("data.business_phone", value=show_phone(t, vendor.phone) if vendor.phone else empty),
            t("data.visibility", value=t(VISIBILITY_LABELS.get(vendor.phone_visibility, "vendor.visibility_opd"))),
            t("data.address", value=", ".join(x for x in (vendor.address, vendor.kecamatan) if x) or empty),
            t.plural("data.products", "data.products_plural", data.product_count),
        ]
    lines.append(t("data.footer"))
    choices = (
        Choice(t("data.btn_delete"), actions.encode(NAME, "delete")),
        Choice(t("product.btn_menu"), actions.encode("menu", "show")),
    )
    return [Reply("\n".join(lines), choices)]


async def delete_start(ctx: Context, _argument: str) -> list[Reply]:
    """Asks for confirmation before deleting."""
    choices = (
        Choice(ctx.t("data.btn_delete_yes"), actions.encode(NAME, "confirm")),
        Choice(ctx.t("data.btn_delete_no"), actions.encode("menu", "show")),
    )
    return [Reply(ctx.t("data.confirm_delete"), choices)]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Handles the delete and confirm buttons."""
    if action.verb == "delete":
        return await delete_start(ctx, "")
    if action.verb == "confirm":
        await privacy.delete_my_data(ctx.session, ctx.user)
        return [ctx.say("data.deleted"), menu_reply(ctx, "menu.title_short")]
    return [ctx.say("form.old_button"), menu_reply(ctx, "menu.title_short")]


SHOW_FLOW = Flow(
    name=NAME,
    start=show,
    on_action=on_action,
    keywords=("data saya", "my data", "lihat data saya"),
    commands=("data", "mydata"),
    menu=MenuEntry("menu.my_data", frozenset({"all"}), order=85),
)
DELETE_FLOW = Flow(
    name="data_delete",
    start=delete_start,
    keywords=("hapus data saya", "hapus data", "delete my data"),
    commands=("hapusdata", "deletedata"),
)
