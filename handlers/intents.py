"""Free messages that are not searches (see `bot.services.intent`): a short answer, or the right flow.

`answer(ctx)` returns None for a real search, so that only real searches reach the catalog, the search
log and the "Catat kebutuhan" offer. A vendor's "ganti harga jadi 17rb" opens the price change of the
product they mean (the summary with the new price, to confirm), and asks which one when it is unclear.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.services import catalog, intent
from bot.services.search import normalize
from handlers.menu import menu_reply

PRODUCTS_FLOW = "prod"  # handlers/products.py: its start takes "edit <id> [<price>]"
MAX_PICK = 8


async def answer(ctx: Context) -> list[Reply] | None:
    """The reply to a message that is not a search, or None when it is one."""
    found = intent.read_intent(ctx.text)
    kind = found.kind
    if kind == intent.SEARCH:
        return None
    if kind == intent.THANKS:
        return [ctx.say("find.thanks")]
    if kind in (intent.YES_NO, intent.CHAT):
        key = "intent.bare_yes" if kind == intent.YES_NO else "intent.chat"
        return [Reply(ctx.t(key), (Choice(ctx.t("find.btn_search_again"), actions.encode("find", "ask")),))]
    if kind == intent.COMMAND:
        command = "/" + (found.command or "")
        return [ctx.say("intent.unknown_command", command=command), menu_reply(ctx, "menu.title_short")]
    if kind == intent.REGISTER:
        return await ctx.start_flow("vendor")
    if kind == intent.ADD_PRODUCT:
        return await ctx.start_flow("product")
    if kind == intent.EDIT_PRICE:
        return await _edit_price(ctx, found)
    if found.topic == intent.TOPIC_GENERAL:
        return await ctx.start_flow("help")
    return [ctx.say(f"intent.howto_{found.topic}")]


async def _edit_price(ctx: Context, found: intent.Intent) -> list[Reply]:
    """Open the price change of the product meant; ask which when the words do not tell."""
    if await catalog.vendor_of(ctx.session, ctx.user) is None:
        return [ctx.say("intent.price_no_business"), menu_reply(ctx, "menu.title_short")]
    page = await catalog.list_products(ctx.session, ctx.user, 0, 200)
    products = page.items
    if not products:
        return [ctx.say("intent.price_no_products"), menu_reply(ctx, "menu.title_short")]
    wanted = set(normalize(found.rest).split())
    if wanted:
        scored = [(len(wanted & set(normalize(p.name).split())), p) for p in products]
        best = max(score for score, _ in scored)
        matching = [p for score, p in scored if score == best and best > 0] or products
    else:
        matching = products
    price = "" if found.price is None else f" {found.price}"
    if len(matching) == 1:
        return await ctx.start_flow(PRODUCTS_FLOW, f"edit {matching[0].id}{price}")
    choices = tuple(Choice(p.name, actions.encode(PRODUCTS_FLOW, "edit", p.id)) for p in matching[:MAX_PICK])
    return [Reply(ctx.t("intent.price_which"), choices)]
