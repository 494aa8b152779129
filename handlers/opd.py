"""OPD staff: `profil opd` asks full name, agency (from the city's list, or typed), job title, NIP
(optional, 18 digits) and phone (typed, or "share my contact" on Telegram); Simpan sends the profile to the
admins' verification queue. `kode OPD-XXXXXXXX` (or `/start OPD-XXXXXXXX`, the Telegram deep link) redeems
an invite code: the person is verified OPD staff of the code's agency at once.
"""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.forms import Field, Form, Options
from bot.core.menus import MenuEntry
from bot.core.messages import Reply
from bot.core.registry import Flow
from bot.errors import ValidationError
from bot.services import invites, opd, parsers
from handlers.common import show_phone
from handlers.menu import menu_reply

NAME = "opd"


def _agency_options(ctx: Context) -> Options:
    known = opd.agencies(ctx.settings.bot.opd_agencies)

    def read(text: str) -> str:
        typed = text.strip()
        if typed.isdecimal() and 1 <= int(typed) <= len(known):
            return known[int(typed) - 1]
        return opd.match_agency(typed, known)

    return Options(tuple((str(i), name) for i, name in enumerate(known, start=1)), read=read)


def _parse_title(text: str) -> str:
    return parsers.parse_name(text, max_len=100)


def _parse_full_name(text: str) -> str:
    return parsers.parse_name(text, max_len=200)


async def _save(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    user = await opd.save_profile(ctx.session, ctx.user, values)
    if user.opd_verified:
        return [ctx.say("opd.saved_verified", agency=user.opd_name or ""), menu_reply(ctx, "menu.title_short")]
    return [ctx.say("opd.saved_pending"), menu_reply(ctx, "menu.title_short")]


FORM = Form(
    NAME,
    on_save=_save,
    fields=(
        Field("full_name", parse=_parse_full_name),
        Field("agency", options=_agency_options, kind="choice"),
        Field("job_title", parse=_parse_title),
        Field("nip", parse=opd.parse_nip, optional=True),
        Field("phone", parse=parsers.parse_phone, kind="contact", display=show_phone),
    ),
)


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Opens the OPD profile: empty the first time, at the summary later."""
    if ctx.user.role != "opd":
        return [ctx.say("opd.not_opd"), menu_reply(ctx, "menu.title_short")]
    if ctx.user.consented_at is None:
        return [ctx.say("catalog.consent_needed"), *await ctx.start_flow("consent", NAME)]
    if ctx.user.full_name:
        return await FORM.start(ctx, opd.profile_values(ctx.user), at="summary", intro="opd.already")
    return await FORM.start(ctx, intro="opd.intro")


FLOW = FORM.flow(
    start,
    keywords=("profil opd", "data opd", "opd profile"),
    commands=("opd",),
    menu=MenuEntry("menu.opd_profile", frozenset({"opd"}), order=10),
)


async def redeem(ctx: Context, argument: str) -> list[Reply]:
    """`kode OPD-XXXXXXXX`: verifies the user as staff of the code's agency; a bad code changes nothing."""
    code = invites.find_code(argument)
    if code is None:
        return [ctx.say("invite.ask_code")]
    try:
        invite = await invites.redeem(ctx.session, ctx.user, code)
    except ValidationError as err:
        return [ctx.say(err.key, **err.params)]
    replies = [ctx.say("invite.redeemed", agency=invite.agency)]
    if ctx.user.consented_at is None:
        return replies + await ctx.start_flow("consent", NAME)
    if not ctx.user.full_name:
        return replies + await FORM.start(ctx, {"agency": invite.agency}, intro="opd.intro")
    return [*replies, menu_reply(ctx, "menu.title_short")]


CODE_FLOW = Flow(
    name="invite_code",
    start=redeem,
    keywords=("kode", "kode undangan", "invite code", "code"),
    commands=("kode", "code"),
    takes_argument=True,
)
