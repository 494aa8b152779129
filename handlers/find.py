"""Find: "siapa yang jual keripik pisang?" — search the catalog and meet the seller.

`cari <barang>`, or any free question from anyone past onboarding, runs the search service. Results come
as short cards (product, price/unit, business, kecamatan, TKDN / e-Katalog / verified badges) with one
button per result to see the seller and "Lainnya" for the next page, which edits the message in place
where the channel can. The seller card shows the product photo, address, and the phone number with a
WhatsApp link only when the vendor allowed this viewer to see it (decided in bot/services/sellers.py).
Nothing confident found: "belum ada penjual", with an offer to record the need as unmet demand.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import claims, conversations, formatting, search_log, sellers, words
from bot.services.conversations import State
from bot.services.search import SearchHit, SearchResult
from bot.services.search import service as search_service
from handlers import intents
from handlers.common import joined, price_per_unit
from handlers.fallback import fallback as friendly_fallback
from handlers.leads import interest_choice
from handlers.menu import menu_reply
from handlers.needs import record_choice

NAME = "find"
PAGE_SIZE = 5
SELLER_PAGE = 20  # products shown on a seller's page


def _claim(ctx: Context, text: str, checked: bool) -> str:
    """A vendor's claim as buyers see it: "(belum diperiksa Dinas)" until an admin checked it."""
    return text if checked else ctx.t("claims.unchecked_badge", badge=text)


def _badges(ctx: Context, hit: SearchHit) -> str:
    t, b = ctx.t, hit.badges
    parts = []
    if b.tkdn_percent is not None:
        percent = t("find.badge_tkdn_percent", percent=formatting.format_percent(b.tkdn_percent))
        parts.append(_claim(ctx, percent, b.percent_checked))
    elif b.tkdn_certified:
        parts.append(_claim(ctx, t("find.badge_tkdn"), b.tkdn_checked))
    else:
        parts.append(t("find.badge_no_tkdn"))
    if b.ekatalog:
        parts.append(_claim(ctx, t("find.badge_ekatalog"), b.ekatalog_checked))
    if b.verified:
        parts.append(t("find.badge_verified"))
    if b.halal:
        parts.append(_claim(ctx, t("find.badge_halal"), b.halal_checked))
    return t("find.badge_separator").join(parts)


def _card(ctx: Context, number: int, hit: SearchHit) -> str:
    t = ctx.t
    price = price_per_unit(t, hit.price, hit.price is None, hit.unit)
    return t(
        "find.card",
        n=number,
        product=hit.product_name,
        price=price,
        business=hit.business_name,
        kecamatan=hit.kecamatan or t("form.empty_value"),
        badges=_badges(ctx, hit),
        photo=t("find.has_photo") if hit.photo_ref else "",
    )


def _card_more(ctx: Context, number: int, hit: SearchHit) -> str:
    """Another product of the seller whose card is just above (results are grouped by seller)."""
    price = price_per_unit(ctx.t, hit.price, hit.price is None, hit.unit)
    return ctx.t("find.card_more", n=number, product=hit.product_name, price=price)


def _grouped_cards(ctx: Context, hits: tuple[SearchHit, ...]) -> list[str]:
    """One entry per seller, in the order of each seller's best product; numbers stay those of the products."""
    groups: dict[str, list[tuple[int, SearchHit]]] = {}
    for i, hit in enumerate(hits, start=1):
        groups.setdefault(hit.vendor_ref, []).append((i, hit))
    entries = []
    for group in groups.values():
        (n, head), rest = group[0], group[1:]
        entries.append("\n".join([_card(ctx, n, head), *(_card_more(ctx, m, hit) for m, hit in rest)]))
    return entries


def _order_reason(ctx: Context, result: SearchResult) -> str:
    """One line on why the results come in this order (and where they are from)."""
    reason = ctx.t("find.order_reason")
    if result.filters.kecamatan:
        places = " / ".join((result.filters.kecamatan, *result.filters.other_kecamatan))  # "atau": either
        reason += " " + ctx.t("find.order_reason_place", kecamatan=places)
    return reason


def _results_reply(ctx: Context, query: str, result: SearchResult, offset: int, *, edit: bool) -> Reply:
    t = ctx.t
    first, last = offset + 1, offset + len(result.results)
    shown = query.strip(" ?!.")[:60]
    lines = [t.plural("find.title", "find.title_plural", result.total, query=shown, first=first, last=last)]
    if result.relaxed:
        # Not all of the question: one word of it had to be left out to find anything.
        lines.append(t("find.relaxed"))
    elif any(used for _typed, used in result.corrections):
        # The whole phrase searched ("Maksud Bapak/Ibu *keripik pisang*?"), not only the corrected word.
        lines.append(t("find.corrected", words=result.normalized))
    # Cards are numbered 1-5 on every page, like their buttons, so a typed number means the same thing.
    lines += _grouped_cards(ctx, result.results)
    log_id = result.search_log_id or 0
    choices = [_seller_button(ctx, i, hit, log_id, offset) for i, hit in enumerate(result.results, start=1)]
    if offset > 0:
        choices.append(Choice(t("find.btn_prev"), actions.encode(NAME, "more", log_id, max(0, offset - PAGE_SIZE))))
    if offset + PAGE_SIZE < result.total:
        choices.append(Choice(t("find.btn_more"), actions.encode(NAME, "more", log_id, offset + PAGE_SIZE)))
    if result.relaxed and result.search_log_id:
        choices.append(record_choice(t, result.search_log_id))  # not all of it found: the need may be recorded
    lines.append(_order_reason(ctx, result))
    lines.append(t("find.footer"))
    return Reply("\n\n".join(lines), tuple(choices), edit=edit)


def _seller_button(ctx: Context, number: int, hit: SearchHit, log_id: int = 0, offset: int = 0) -> Choice:
    """The button that opens one result: the product and its seller, so that buttons tell products apart."""
    label = ctx.t("find.btn_result", n=number, product=hit.product_name, name=hit.business_name)
    return Choice(label, actions.encode(NAME, "s", hit.product_ref, log_id, offset))


def _near_misses(ctx: Context, result: SearchResult) -> tuple[list[str], list[Choice]]:
    """ "Belum ada yang pas. Yang mendekati:" with up to three related products, marked as such."""
    if not result.related:
        return [], []
    lines = [ctx.t("find.related_title")]
    lines += [ctx.t("find.related_mark") + " " + _card(ctx, i, hit) for i, hit in enumerate(result.related, start=1)]
    return lines, [_seller_button(ctx, i, hit) for i, hit in enumerate(result.related, start=1)]


def _not_found(ctx: Context, query: str, result: SearchResult) -> list[Reply]:
    t = ctx.t
    text = t("find.none", query=query.strip(" ?!.")[:80])
    if result.filters.any():
        text += "\n" + t("find.none_filters")
    related_lines, choices = _near_misses(ctx, result)
    if related_lines:
        text = "\n\n".join([text, *related_lines])
    if result.search_log_id:
        choices.append(record_choice(t, result.search_log_id))  # the need's form: handlers/needs.py
    choices.append(Choice(t("find.btn_search_again"), actions.encode(NAME, "ask")))
    return [Reply(text, tuple(choices))]


async def run_search(ctx: Context, query: str) -> list[Reply]:
    """Searches and shows the first page, or says nothing was found (or, for no product word, not understood)."""
    if not search_service.asks_for_something(ctx.session, query):
        return await friendly_fallback(ctx)  # "Maaf, saya belum paham. Mau cari produk? ..." and the menu
    result = await search_service.search(ctx.session, query, limit=PAGE_SIZE, user_id=ctx.user.id)
    if not result.results:
        return _not_found(ctx, query, result)
    return [_results_reply(ctx, query, result, 0, edit=False)]


async def start(ctx: Context, argument: str) -> list[Reply]:
    """`cari keripik` searches at once; `cari` alone asks what to look for."""
    if argument.strip():
        return await run_search(ctx, argument)
    await conversations.begin(ctx.session, ctx.user.id, NAME, "ask", {})
    return [ctx.say("find.ask")]


async def resume(ctx: Context, state: State) -> list[Reply] | None:
    """Takes the typed question after `cari`; anything else (a button, a command) is not this flow's.

    The question itself needs no handling here: typed text the dispatcher does not route elsewhere reaches
    `fallback`, which searches it.
    """
    await conversations.clear(ctx.session, ctx.user.id)
    action = ctx.action
    if action is not None and action.prefix == NAME:
        return await on_action(ctx, action)
    if ctx.inbound.action is None and (not ctx.text or ctx.text.casefold() in words.CANCEL):
        return [menu_reply(ctx)]
    return None


async def fallback(ctx: Context) -> list[Reply]:
    """Free text from an onboarded user is a question for the catalog."""
    text = ctx.text
    inbound = ctx.inbound
    if not text or inbound.has_unsupported_media or inbound.photo_ref or inbound.media_error or inbound.contact_phone:
        return await friendly_fallback(ctx)
    if words.said(text) in words.MORE:  # "lainnya" typed when the last list had no next page
        return [ctx.say("find.no_more")]
    not_a_search = await intents.answer(ctx)  # chat, thanks, a bare yes, how-to, a vendor's request
    if not_a_search is not None:
        return not_a_search
    return await run_search(ctx, text)


async def _seller(ctx: Context, product_ref: str, log_id: int = 0, offset: int = 0) -> list[Reply]:
    """The seller of one result, with contact as the vendor allowed."""
    t = ctx.t
    view = await sellers.seller_view(ctx.session, ctx.user, product_ref)
    product, vendor = view.product, view.vendor
    lines = [
        t("find.seller_title", product=product.name),
        t("product.card_price", price=price_per_unit(t, product.price, product.price_negotiable, product.unit)),
    ]
    if product.description:
        lines.append(product.description)
    lines.append(
        t("find.seller_business", business=vendor.business_name, owner=vendor.owner_name or t("form.empty_value"))
    )
    lines.append(
        t("find.seller_address", address=joined(t, (vendor.address, vendor.kecamatan)) or t("form.empty_value"))
    )
    checked = {c.key for c in await claims.claims_of(ctx.session, vendor) if c.status == claims.APPROVED}
    if product.tkdn_percent is not None:
        percent = t("product.card_tkdn", percent=formatting.format_percent(product.tkdn_percent))
        lines.append(_claim(ctx, percent, claims.PERCENT + product.product_ref in checked))
    elif vendor.tkdn_certified:
        lines.append(_claim(ctx, t("find.seller_tkdn_certified"), "tkdn" in checked))
    else:
        lines.append(t("find.seller_no_tkdn"))
    if vendor.ekatalog:
        lines.append(_claim(ctx, t("find.seller_ekatalog_yes"), "ekatalog" in checked))
    else:
        lines.append(t("find.seller_ekatalog_no"))
    if vendor.verified:
        lines.append(t("find.seller_verified"))
    choices: list[Choice] = _interest(ctx, product.product_ref, vendor.user_id)
    if view.phone:
        lines.append(t("find.seller_phone", phone=formatting.format_phone_local(view.phone)))
        choices.append(
            Choice(
                t("find.btn_whatsapp"),
                actions.encode(NAME, "wa"),
                url=f"https://wa.me/{formatting.wa_me_number(view.phone)}",
            )
        )
    elif view.phone_hidden:
        lines.append(t("find.seller_phone_hidden"))
    if vendor.ekatalog and vendor.ekatalog_url:
        choices.append(Choice(t("find.btn_ekatalog"), actions.encode(NAME, "ek"), url=vendor.ekatalog_url))
    choices.append(
        Choice(t("find.btn_all_products", name=vendor.business_name), actions.encode(NAME, "v", product_ref))
    )
    if log_id:
        choices.append(Choice(t("find.btn_back_results"), actions.encode(NAME, "more", log_id, offset)))
    choices.append(Choice(t("find.btn_search_again"), actions.encode(NAME, "ask")))
    photo = product.photo_ref
    return [Reply("\n".join(lines), tuple(choices), photo_ref=photo)]


def _interest(ctx: Context, product_ref: str, seller_user_id: int | None) -> list[Choice]:
    """ "Saya berminat" (a lead, handlers/leads.py) under the card, unless the viewer is the seller."""
    return [] if seller_user_id == ctx.user.id else [interest_choice(ctx.t, product_ref)]


async def _seller_products(ctx: Context, product_ref: str) -> list[Reply]:
    """Every visible product of the seller of one product, each a button to its seller card."""
    vendor, products = await sellers.seller_products(ctx.session, product_ref)
    lines = [ctx.t("find.seller_products_title", business=vendor.business_name)]
    choices = []
    for i, product in enumerate(products[:SELLER_PAGE], start=1):
        price = price_per_unit(ctx.t, product.price, product.price_negotiable, product.unit)
        lines.append(ctx.t("find.card_more", n=i, product=product.name, price=price))
        choices.append(Choice(f"{i}. {product.name}", actions.encode(NAME, "s", product.product_ref)))
    choices.append(Choice(ctx.t("find.btn_search_again"), actions.encode(NAME, "ask")))
    return [Reply("\n".join(lines), tuple(choices))]


async def on_action(ctx: Context, action: Action) -> list[Reply]:
    """Seller, next page, record the need, search again."""
    if action.verb == "s":
        return await _seller(ctx, action.arg(0), action.int_arg(1) or 0, action.int_arg(2) or 0)
    if action.verb == "v":
        return await _seller_products(ctx, action.arg(0))
    if action.verb == "more":
        offset = action.int_arg(1) or 0
        page = await search_log.page(ctx.session, action.int_arg(0), ctx.user.id, offset=offset, limit=PAGE_SIZE)
        if page is None:
            return [ctx.say("form.old_button"), ctx.say("find.ask_again")]
        if not page.result.results:
            return [ctx.say("find.page_gone")]
        return [_results_reply(ctx, page.query, page.result, offset, edit=True)]
    if action.verb == "need":
        log_id = action.int_arg(0)
        if log_id and await search_service.record_need(ctx.session, log_id, ctx.user.id):
            return [ctx.say("find.need_recorded"), menu_reply(ctx, "menu.title_short")]
        return [ctx.say("form.old_button")]
    if action.verb == "ask":
        return await start(ctx, "")
    return [ctx.say("form.old_button"), menu_reply(ctx, "menu.title_short")]


FLOW = Flow(
    name=NAME,
    start=start,
    resume=resume,
    on_action=on_action,
    keywords=("cari", "cari produk", "search", "find", "siapa yang jual"),
    commands=("cari", "search"),
    takes_argument=True,
    menu=MenuEntry("menu.find", frozenset({"all"}), order=5),
)
