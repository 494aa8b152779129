"""Data rights (UU PDP): `data saya` shows what is stored; `hapus data saya` deletes it after a confirmation.

Deletion removes the business, its products and the user's contact data at once (the law allows 3x24
hours; we do it immediately). Leads keep an anonymised trace. The user can keep using the bot as a browser.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.dates import local_datetime
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import conversations, privacy, words
from bot.services.conversations import State
from handlers.common import joined, show_phone
from handlers.menu import menu_reply
from handlers.register_vendor import VISIBILITY_LABELS

NAME = "data"
DELETE = "data_delete"


def _local(ctx: Context, moment: datetime) -> str:
    """A stored time in the region's zone (WIB by default), as people there read it."""
    bot = ctx.settings.bot
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return local_datetime(moment, ctx.t, bot.timezone, bot.timezone_label)


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
        t("data.role", value=t(words.ROLE_LABELS.get(user.role or "buyer", "start.role_buyer"))),
        t("data.accounts", value=joined(t, (t(f"channel.{i.channel}") for i in data.identities))),
        t("data.consent", value=_local(ctx, user.consented_at) if user.consented_at else empty),
    ]
    vendor = data.vendor
    if vendor is not None:
        lines += [
            t("data.business", value=vendor.business_name),
            t("data.business_phone", value=show_phone(t, vendor.phone) if vendor.phone else empty),
            t("data.visibility", value=t(VISIBILITY_LABELS.get(vendor.phone_visibility, "vendor.visibility_opd"))),
            t("data.address", value=joined(t, (vendor.address, vendor.kecamatan)) or empty),
            t.plural("data.products", "data.products_plural", data.product_count),
        ]
    lines.append(t("data.footer"))
    choices = (
        Choice(t("data.btn_delete"), actions.encode(NAME, "delete")),
        Choice(t("product.btn_menu"), actions.encode("menu", "show")),
    )
    return [Reply("\n".join(lines), choices)]


async def delete_start(ctx: Context, _argument: str) -> list[Reply]:
    """Asks for confirmation before deleting; the answer belongs to this one question (a conversation)."""
    state = await conversations.begin(ctx.session, ctx.user.id, DELETE, "confirm", {})
    return [_confirm_reply(ctx, state)]


def _confirm_reply(ctx: Context, state: State) -> Reply:
    choices = (
        Choice(ctx.t("data.btn_delete_yes"), actions.encode(DELETE, "yes", state.id)),
        Choice(ctx.t("data.btn_delete_no"), actions.encode(DELETE, "no", state.id)),
    )
    return Reply(ctx.t("data.confirm_delete"), choices)


async def delete_resume(ctx: Context, state: State) -> list[Reply] | None:
    """Takes the answer to "delete everything?": a button of this question, or a typed yes / no."""
    action = ctx.action
    if action is not None and action.prefix == DELETE:
        if action.arg(0) != str(state.id):
            return [ctx.say("form.old_button"), _confirm_reply(ctx, state)]
        answer: bool | None = action.verb == "yes"
    elif ctx.inbound.action is None:
        answer = words.yes_no(ctx.text)
    else:
        answer = None
    await conversations.clear(ctx.session, ctx.user.id)
    if answer is None:
        return None  # another button or another request: the question is dropped, nothing is deleted
    if not answer:
        return [menu_reply(ctx)]
    await privacy.delete_my_data(ctx.session, ctx.user)
    return [ctx.say("data.deleted"), menu_reply(ctx, "menu.title_short")]


async def delete_action(ctx: Context, _action: Action) -> list[Reply]:
    """A deletion button whose question is no longer open (answered, cancelled, expired): it does nothing."""
    return [ctx.say("form.old_button"), menu_reply(ctx, "menu.title_short")]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """The "delete my data" button under the data overview."""
    if action.verb == "delete":
        return await delete_start(ctx, "")
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
    name=DELETE,
    start=delete_start,
    resume=delete_resume,
    on_action=delete_action,
    keywords=("hapus data saya", "hapus data", "delete my data"),
    commands=("hapusdata", "deletedata"),
)
