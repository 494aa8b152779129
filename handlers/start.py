"""Start: the first conversation with a new user, and `/start` or `mulai` later.

1. Greeting: what the service is, in two sentences, then the language question.
2. Role: pelaku usaha (vendor), staf OPD (government buyer) or lihat-lihat (just browsing).
3. Consent: what we store, why, who sees it, how long (UU PDP); "Setuju" records version and time.
   Declining still lets the user search as a browser; registering a business needs consent.
4. The main menu of the chosen role.
A returning user who types /start gets the greeting and their menu. `peran` changes the role later.

At every onboarding step people type rather than press: /start greets again, `bantuan` or `menu` (also the
persistent keyboard's buttons) explain what to answer now, a language name (`english`, `bahasa indonesia`)
switches the language, and a role name (`penjual`, `opd`, `warga`) picks the role. The consent notice says
what is kept about *this* role: a business for a vendor, an office for OPD staff, almost nothing for a
citizen.
"""

from __future__ import annotations

from bot.core import actions
from bot.core.actions import Action
from bot.core.context import Context
from bot.core.i18n import LOCALES
from bot.core.menus import MenuEntry
from bot.core.messages import Choice, Reply
from bot.core.registry import Flow
from bot.services import accounts, conversations, invites, words
from bot.services.conversations import State
from handlers.language import language_choices
from handlers.menu import menu_reply

NAME = "start"
CONSENT_KEYS = {
    "vendor": "start.consent_notice",
    "opd": "start.consent_notice_opd",
    "buyer": "start.consent_notice_buyer",
}
# Typed names of languages and roles, understood at every onboarding step (labels are matched too).
LANGUAGE_WORDS = {
    "indonesia": "id", "bahasa indonesia": "id", "indonesian": "id", "indo": "id", "b indonesia": "id",
    "english": "en", "inggris": "en", "bahasa inggris": "en", "eng": "en", "en": "en",
}  # fmt: skip
ROLE_WORDS = {
    "pelaku usaha": "vendor", "penjual": "vendor", "umkm": "vendor", "ikm": "vendor", "usaha": "vendor",
    "vendor": "vendor", "seller": "vendor", "jualan": "vendor", "pedagang": "vendor",
    "opd": "opd", "staf opd": "opd", "staff opd": "opd", "pemerintah": "opd", "instansi": "opd",
    "dinas": "opd", "government": "opd", "pembeli": "buyer", "warga": "buyer", "lihat": "buyer",
    "lihat-lihat": "buyer", "lihat lihat": "buyer", "buyer": "buyer", "citizen": "buyer", "browse": "buyer",
}  # fmt: skip
RESTART = frozenset({"/start", "start", "mulai", "/mulai"})
ASK_AGAIN = frozenset({"menu", "/menu", "menu utama", "bahasa", "language", "/bahasa", "/language"})


def _role_reply(ctx: Context, prefix: str = NAME) -> Reply:
    choices = tuple(
        Choice(ctx.t(label), actions.encode(prefix, "role", role)) for role, label in words.ROLE_LABELS.items()
    )
    return Reply(ctx.t("start.ask_role"), choices)


def opd_profile_reply(ctx: Context) -> Reply:
    """Asks new OPD staff for their profile (name, agency, job title, NIP, phone), which the admins check."""
    return Reply(
        ctx.t("opd.profile_invite"), (Choice(ctx.t("opd.btn_fill_profile"), actions.encode("menu", "go", "opd")),)
    )


def consent_reply(ctx: Context) -> Reply:
    """The data notice with Setuju / Tidak setuju."""
    choices = (
        Choice(ctx.t("start.btn_agree"), actions.encode(NAME, "consent", "yes")),
        Choice(ctx.t("start.btn_disagree"), actions.encode(NAME, "consent", "no")),
    )
    return Reply(ctx.t(CONSENT_KEYS.get(ctx.user.role or "buyer", "start.consent_notice_buyer")), choices)


async def ask_consent(ctx: Context, then: str) -> list[Reply]:
    """Asks for the data consent; once given, the flow named `then` starts."""
    await conversations.begin(ctx.session, ctx.user.id, NAME, "consent", {"then": then})
    return [consent_reply(ctx)]


async def consent_start(ctx: Context, then: str) -> list[Reply]:
    """`ctx.start_flow("consent", "vendor")`: ask for the data consent, then start the flow `then`."""
    return await ask_consent(ctx, then)


async def start(ctx: Context, argument: str) -> list[Reply]:
    """Greets; a new user is asked their language, a known one sees the menu.

    `/start OPD-XXXXXXXX` (a Telegram invite deep link) carries an OPD invite code: a known user redeems it
    at once, a new one after the language and the consent (the code says the role).
    """
    code = invites.find_code(argument or (ctx.text if ctx.text.startswith("/") else ""))
    if ctx.user.onboarded:
        await conversations.clear(ctx.session, ctx.user.id)
        if code and ctx.has_flow("invite_code"):
            return await ctx.start_flow("invite_code", code)
        return [ctx.say("start.greeting_back"), menu_reply(ctx)]
    await conversations.begin(ctx.session, ctx.user.id, NAME, "language", {"invite": code} if code else {})
    return [Reply(ctx.t("start.greeting")), Reply(ctx.t("start.ask_language"), language_choices(ctx, NAME))]


def _question(ctx: Context, step: str) -> Reply:
    """The question of an onboarding step."""
    if step == "role":
        return _role_reply(ctx)
    if step == "consent":
        return consent_reply(ctx)
    return Reply(ctx.t("start.ask_language"), language_choices(ctx, NAME))


async def _typed(ctx: Context, state: State) -> list[Reply] | None:
    """Words that mean the same at every onboarding step: /start, help, menu, a language or a role name."""
    word = words.said(ctx.text)
    if word in RESTART or word in words.GREETINGS:
        await conversations.clear(ctx.session, ctx.user.id)
        return await start(ctx, "")
    if word in words.HELP or word == "panduan" or word in ASK_AGAIN:
        return [Reply(ctx.t(f"start.help_{state.step}")), _question(ctx, state.step)]
    if word in LANGUAGE_WORDS:
        code = LANGUAGE_WORDS[word]
        ctx.user.language = code
        ctx.set_language(code)
        if state.step == "language":
            state.step = "role"
            await conversations.save(ctx.session, ctx.user.id, state)
        return [_question(ctx, state.step)]
    if word in ROLE_WORDS and state.step in {"role", "consent"}:
        accounts.set_role(ctx.user, ROLE_WORDS[word])
        state.step = "consent"
        await conversations.save(ctx.session, ctx.user.id, state)
        return [consent_reply(ctx)]
    return None


async def resume(ctx: Context, state: State) -> list[Reply]:
    """Takes the answer to the current onboarding question."""
    action = ctx.action
    verb, value = (action.verb, action.arg(0)) if action and action.prefix == NAME else (None, "")
    if ctx.text and (verb is None or words.said(ctx.text) in ASK_AGAIN):
        # Typed (a typed label became a button press; `bahasa` is the language command, not a pick).
        typed = await _typed(ctx, state)
        if typed is not None:
            return typed
    if state.step == "language":
        if verb == "set" and value in LOCALES:
            ctx.user.language = value
            ctx.set_language(value)
            if state.data.get("invite"):  # an invite code is for OPD staff: no need to ask the role
                accounts.set_role(ctx.user, "opd")
                state.step = "consent"
                await conversations.save(ctx.session, ctx.user.id, state)
                return [consent_reply(ctx)]
            state.step = "role"
            await conversations.save(ctx.session, ctx.user.id, state)
            return [_role_reply(ctx)]
        return [ctx.say("start.pick_option"), Reply(ctx.t("start.ask_language"), language_choices(ctx, NAME))]
    if state.step == "role":
        if verb == "role" and value in words.ROLE_LABELS:
            accounts.set_role(ctx.user, value)
            state.step = "consent"
            await conversations.save(ctx.session, ctx.user.id, state)
            return [consent_reply(ctx)]
        return [ctx.say("start.pick_option"), _role_reply(ctx)]
    if state.step == "consent":
        typed = words.yes_no(ctx.text) if ctx.inbound.action is None else None
        if (verb == "consent" and value in {"yes", "no"}) or typed is not None:
            agreed = value == "yes" if verb == "consent" else bool(typed)
            code = str(state.data.get("invite") or "")
            if agreed and code and ctx.has_flow("invite_code"):
                return await _finish(ctx, agreed=True, then="invite_code", argument=code)
            return await _finish(ctx, agreed=agreed, then=str(state.data.get("then", "")))
        return [ctx.say("start.pick_option"), consent_reply(ctx)]
    await conversations.clear(ctx.session, ctx.user.id)
    return await start(ctx, "")


async def _finish(ctx: Context, *, agreed: bool, then: str = "", argument: str = "") -> list[Reply]:
    """Records consent (or its refusal) and opens the menu of the role, or the flow that asked for it."""
    await conversations.clear(ctx.session, ctx.user.id)
    ctx.user.onboarded = True
    replies: list[Reply] = []
    if agreed:
        accounts.give_consent(ctx.user)
        replies.append(ctx.say("start.consent_thanks"))
    else:
        if ctx.user.role == "vendor":
            accounts.set_role(ctx.user, "buyer")
        replies.append(ctx.say("start.consent_declined"))
    if agreed and then and ctx.has_flow(then):
        return replies + await ctx.start_flow(then, argument)
    if ctx.user.role == "opd" and not ctx.user.opd_verified:
        replies.append(ctx.say("start.opd_pending"))
        if agreed and ctx.has_flow("opd"):
            replies.append(opd_profile_reply(ctx))
    replies.append(menu_reply(ctx, "start.ready"))
    return replies


# ---- changing the role later ------------------------------------------------------------------------


async def role_start(ctx: Context, _argument: str) -> list[Reply]:
    """Asks which role the user has now."""
    return [_role_reply(ctx, "role")]


async def role_action(ctx: Context, action: Action) -> list[Reply]:
    """Stores the new role; a vendor without consent is asked for it first."""
    role = action.arg(0)
    if action.verb != "role" or role not in words.ROLE_LABELS:
        return [_role_reply(ctx, "role")]
    accounts.set_role(ctx.user, role)
    replies = [ctx.say("start.role_changed", role=ctx.t(words.ROLE_LABELS[role]))]
    if ctx.user.consented_at is None:
        return [*replies, *await ask_consent(ctx, "")]
    if role == "opd" and not ctx.user.opd_verified:
        replies.append(ctx.say("start.opd_pending"))
        if ctx.has_flow("opd"):
            replies.append(opd_profile_reply(ctx))
    return [*replies, menu_reply(ctx, "menu.title_short")]


FLOW = Flow(
    name=NAME,
    start=start,
    resume=resume,
    keywords=tuple(sorted(words.GREETINGS)),
    commands=("start", "mulai"),
)
# Started only by other flows (`ctx.start_flow("consent", then)`); its answers come back to `start.resume`.
CONSENT_FLOW = Flow(name="consent", start=consent_start)
ROLE_FLOW = Flow(
    name="role",
    start=role_start,
    on_action=role_action,
    keywords=("peran", "ganti peran", "role"),
    commands=("peran", "role"),
    menu=MenuEntry("menu.role", frozenset({"all"}), order=92),
)
