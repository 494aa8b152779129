"""Products: `tambah produk` adds one, `produk saya` lists the vendor's own products to open and manage.

Adding asks: name, category (buttons), description (optional), price (how Indonesians write it, or
"nego"), unit (not asked when the price carried it: `Rp 25.000/bungkus`), minimum order and monthly
capacity (optional, `min 10 bungkus`), TKDN % (optional, only for a vendor with a TKDN certificate), photo
(optional); then the summary, with units ("Rp15.000/bungkus", "10 bungkus"). The list pages five at a
time ("Berikutnya" edits the message in place where the channel can); opening a product shows it with
Ubah / Sembunyikan or Tampilkan / Hapus. Ubah reuses the same form, opened at the list of fields. Every
button carries only a product id; the catalog service checks ownership.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.forms import Field, Form, Options
from bot.core.i18n import Translator
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import catalog, conversations, parsers, words
from bot.services.conversations import State
from bot.services.formatting import format_percent
from bot.services.parsers import Price
from handlers.common import price_per_unit, show_percent, show_price
from handlers.menu import menu_reply

NAME = "prod"
PAGE_SIZE = 5
COMMON_UNITS = ("pcs", "kotak", "bungkus", "kg", "paket", "lembar")


def category_label(t: Translator, slug: Any) -> str:
    """The translated name of a category slug."""
    return t(f"category.{slug}") if slug in catalog.CATEGORIES else str(slug)


def _category_options(ctx: Context) -> Options:
    pairs = tuple((slug, category_label(ctx.t, slug)) for slug in catalog.CATEGORIES)
    return Options(pairs, invalid="product.category_invalid")


def _unit_from_price(text: str) -> dict[str, Any]:
    """`Rp 25.000/bungkus` answers the unit question too."""
    unit = parsers.unit_in_price(text)
    return {"unit": unit} if unit else {}


def _price_with_unit(t: Translator, value: Any, values: dict[str, Any]) -> str:
    """Rp15.000/bungkus in the summary, once the unit is known."""
    if not isinstance(value, Price):
        return t("form.empty_value")
    return price_per_unit(t, value.amount, value.negotiable, values.get("unit"))


def _quantity_with_unit(t: Translator, value: Any, values: dict[str, Any]) -> str:
    """10 bungkus in the summary, once the unit is known."""
    unit = values.get("unit")
    return t("common.quantity_unit", n=value, unit=unit) if unit else str(value)


def _tkdn_can_apply(values: dict[str, Any]) -> bool:
    """A TKDN % needs a TKDN certificate (from the vendor profile), or was given before."""
    return bool(values.get("_tkdn_certified")) or values.get("tkdn_percent") is not None


def _unit_options(ctx: Context) -> Options:
    return Options(tuple((u, ctx.t(f"unit.{u}")) for u in COMMON_UNITS), read=parsers.parse_unit)


async def _save(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    """Adds the product, or stores the changes to an existing one."""
    product_id = values.pop("_id", None)
    values.pop("_tkdn_certified", None)
    channel = ctx.inbound.channel.value
    if product_id is None:
        product = await catalog.add_product(ctx.session, ctx.user, values, channel)
        return [
            ctx.say("product.saved", name=product.name),
            Reply(
                ctx.t("product.next"),
                (
                    Choice(ctx.t("product.btn_add_another"), actions.encode(NAME, "new")),
                    Choice(ctx.t("product.btn_my_products"), actions.encode(NAME, "list", 0)),
                    Choice(ctx.t("product.btn_menu"), actions.encode("menu", "show")),
                ),
            ),
        ]
    product = await catalog.update_product(ctx.session, ctx.user, int(product_id), values, channel)
    return [ctx.say("product.updated", name=product.name), *_detail(ctx, product)]


FORM = Form(
    "product",
    on_save=_save,
    fields=(
        Field("name", parse=parsers.parse_name),
        Field("category", options=_category_options, display=category_label),
        Field("description", parse=parsers.parse_description, optional=True),
        # Kept in the conversation state as {"amount": ..., "negotiable": ...}; a Price everywhere else.
        Field(
            "price",
            parse=parsers.parse_price,
            display=show_price,
            dump=asdict,
            load=lambda d: Price(**d),
            fills=_unit_from_price,
            shows=_price_with_unit,
        ),
        Field("unit", options=_unit_options),
        Field("min_order", parse=parsers.parse_quantity, optional=True, shows=_quantity_with_unit),
        Field("monthly_capacity", parse=parsers.parse_quantity, optional=True, shows=_quantity_with_unit),
        Field(
            "tkdn_percent",
            parse=parsers.parse_tkdn_percent,
            optional=True,
            display=show_percent,
            dump=str,
            load=Decimal,
            when=_tkdn_can_apply,
        ),
        Field("photo", kind="photo", optional=True),
    ),
)


async def add_start(ctx: Context, _argument: str) -> list[Reply]:
    """Starts the add-product form, once the user has a business."""
    vendor = await catalog.vendor_of(ctx.session, ctx.user)
    if vendor is None:
        return [ctx.say("catalog.no_business"), menu_reply(ctx, "menu.title_short")]
    return await FORM.start(ctx, {"_tkdn_certified": vendor.tkdn_certified}, intro="product.intro")


async def list_start(ctx: Context, argument: str) -> list[Reply]:
    """Shows the first page of the user's products; `ctx.start_flow("prod", "edit <id> [<price>]")` opens the
    changes of one of them instead (with a new price filled in: its summary, to confirm)."""
    verb, *args = argument.split() or [""]
    if verb == "edit" and args and args[0].isdecimal():
        return await _edit(ctx, int(args[0]), int(args[1]) if len(args) > 1 and args[1].isdecimal() else None)
    return await _list(ctx, 0, edit=False)


async def _edit(ctx: Context, product_id: int, new_price: int | None = None) -> list[Reply]:
    product = await catalog.own_product(ctx.session, ctx.user, product_id)
    vendor = await catalog.vendor_of(ctx.session, ctx.user)
    certified = bool(vendor and vendor.tkdn_certified)
    values = {**catalog.product_values(product), "_id": product.id, "_tkdn_certified": certified}
    if new_price is None:
        return await FORM.start(ctx, values, at="pick", intro="product.edit_intro", name=product.name)
    values["price"] = Price(new_price)
    return await FORM.start(ctx, values, at="summary", intro="product.edit_intro", name=product.name)


async def _list(ctx: Context, offset: int, *, edit: bool) -> list[Reply]:
    """One page of the vendor's products, each a button that opens it."""
    if await catalog.vendor_of(ctx.session, ctx.user) is None:
        return [ctx.say("catalog.no_business"), menu_reply(ctx, "menu.title_short")]
    page = await catalog.list_products(ctx.session, ctx.user, offset, PAGE_SIZE)
    if page.total == 0:
        return [
            Reply(
                ctx.t("product.none_yet"),
                (Choice(ctx.t("product.btn_add"), actions.encode(NAME, "new")),),
            )
        ]
    t = ctx.t
    choices = []
    for product in page.items:
        label = t(
            "product.list_item" if product.visible else "product.list_item_hidden",
            name=product.name,
            price=price_per_unit(t, product.price, product.price_negotiable, product.unit),
        )
        choices.append(Choice(label, actions.encode(NAME, "open", product.id)))
    if page.offset > 0:
        choices.append(Choice(t("product.btn_prev"), actions.encode(NAME, "list", max(0, page.offset - PAGE_SIZE))))
    if page.offset + PAGE_SIZE < page.total:
        choices.append(Choice(t("product.btn_next"), actions.encode(NAME, "list", page.offset + PAGE_SIZE)))
    choices.append(Choice(t("product.btn_add"), actions.encode(NAME, "new")))
    first, last = page.offset + 1, page.offset + len(page.items)
    text = t.plural("product.list_title", "product.list_title_plural", page.total, first=first, last=last)
    return [Reply(text, tuple(choices), edit=edit)]


def _detail(ctx: Context, product: Any) -> list[Reply]:
    """One product as a card with its actions."""
    t = ctx.t
    lines = [
        t("product.card_title", name=product.name),
        t("product.card_price", price=price_per_unit(t, product.price, product.price_negotiable, product.unit)),
        t("product.card_category", category=category_label(t, product.category)),
    ]
    if product.description:
        lines.append(product.description)
    if product.min_order:
        lines.append(t("product.card_min_order", n=product.min_order, unit=product.unit or ""))
    if product.monthly_capacity:
        lines.append(t("product.card_capacity", n=product.monthly_capacity, unit=product.unit or ""))
    lines.append(
        t("product.card_tkdn", percent=format_percent(product.tkdn_percent))
        if product.tkdn_percent is not None
        else t("product.card_no_tkdn")
    )
    lines.append(t("product.card_visible") if product.visible else t("product.card_hidden"))
    toggle = (
        Choice(t("product.btn_hide"), actions.encode(NAME, "hide", product.id))
        if product.visible
        else Choice(t("product.btn_show"), actions.encode(NAME, "show", product.id))
    )
    choices = (
        Choice(t("product.btn_edit"), actions.encode(NAME, "edit", product.id)),
        toggle,
        Choice(t("product.btn_delete"), actions.encode(NAME, "del", product.id)),
        Choice(t("product.btn_back_list"), actions.encode(NAME, "list", 0)),
    )
    return [Reply("\n".join(lines), choices, photo_ref=product.photo_ref)]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Handles the buttons of the product list and product cards."""
    verb, product_id = action.verb, action.int_arg(0)
    if verb == "new":
        return await add_start(ctx, "")
    if verb == "list":
        return await _list(ctx, product_id or 0, edit=True)
    if verb == "open":
        return _detail(ctx, await catalog.own_product(ctx.session, ctx.user, product_id))
    if verb == "edit":
        return await _edit(ctx, product_id or 0)
    if verb in {"hide", "show"}:
        product = await catalog.set_product_visible(ctx.session, ctx.user, product_id, verb == "show")
        key = "product.shown" if product.visible else "product.hidden"
        return [ctx.say(key, name=product.name), *_detail(ctx, product)]
    if verb == "del":
        product = await catalog.own_product(ctx.session, ctx.user, product_id)
        # The confirmation is a conversation: its [Ya, hapus] is valid only while this question is open.
        state = await conversations.begin(ctx.session, ctx.user.id, NAME, "delete", {"product": product.id})
        return [
            Reply(
                ctx.t("product.confirm_delete", name=product.name),
                (
                    Choice(ctx.t("product.btn_delete_yes"), actions.encode(NAME, "delok", product.id, state.id)),
                    Choice(ctx.t("product.btn_delete_no"), actions.encode(NAME, "open", product.id)),
                ),
            )
        ]
    if verb == "delok":  # the question it answered is no longer open (answered, replaced, expired)
        product = await catalog.own_product(ctx.session, ctx.user, product_id)
        return [ctx.say("form.old_button"), *_detail(ctx, product)]
    return [ctx.say("form.old_button"), menu_reply(ctx, "menu.title_short")]


async def resume(ctx: Context, state: State) -> list[Reply] | None:
    """The answer to "delete this product?": its own [Ya, hapus] or a typed yes / no; anything else is not
    this question's (the [Tidak] button opens the product as usual), and the question is dropped."""
    await conversations.clear(ctx.session, ctx.user.id)
    product_id = state.data.get("product")
    action = ctx.action
    answer: bool | None = None
    if action is not None and action.prefix == NAME and action.verb == "delok":
        answer = True if action.arg(1) == str(state.id) and action.int_arg(0) == product_id else None
    elif ctx.inbound.action is None:
        answer = words.yes_no(ctx.text)
    if answer is None:
        return None
    if not answer:
        return _detail(ctx, await catalog.own_product(ctx.session, ctx.user, product_id))
    name = await catalog.delete_product(ctx.session, ctx.user, product_id)
    return [ctx.say("product.deleted", name=name), *await _list(ctx, 0, edit=False)]


ADD_FLOW = FORM.flow(
    add_start,
    keywords=("tambah produk", "tambah", "produk baru", "add product", "new product"),
    commands=("tambah", "produk_baru"),
    menu=MenuEntry("menu.add_product", frozenset({"vendor"}), order=20),
)
LIST_FLOW = Flow(
    name=NAME,
    start=list_start,
    resume=resume,
    on_action=on_action,
    keywords=("produk saya", "produk", "daftar produk", "my products", "products"),
    commands=("produk", "products"),
    menu=MenuEntry("menu.my_products", frozenset({"vendor"}), order=30),
)
