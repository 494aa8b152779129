"""Business profile: `daftar usaha` registers the user's business, or opens the existing one for editing.

Asks, one question at a time: business name, owner, WhatsApp/phone (typed, or "share my contact" on
Telegram), kecamatan (buttons from the configured region), address, NIB (optional), e-Katalog (ya/tidak,
optional link), TKDN certificate (ya/tidak, optional number), halal and P-IRT numbers (optional), a one-line
description, and who may see the phone number (the vendor's consent). Then the summary; Simpan writes it
through the catalog service, which records the consent with its time and version.
A user without the data consent from onboarding is asked for it first.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.core.context import Context
from bot.core.forms import Field, Form, Options, yes_no
from bot.core.i18n import Translator
from bot.core.menus import MenuEntry
from bot.core.messages import Reply
from bot.errors import ValidationError
from bot.services import catalog, parsers, words
from handlers.common import show_phone
from handlers.menu import menu_reply

NAME = "vendor"
MAX_URL_CHARS = 500  # the vendors.ekatalog_url column
VISIBILITY_LABELS = {"all": "vendor.visibility_all", "opd": "vendor.visibility_opd"}
VISIBILITY_ALL = frozenset({"all", "semua", "everyone", "umum", "semua orang"})


def _kecamatan_options(ctx: Context) -> Options:
    region = ctx.region
    return Options(tuple((name, name) for name in region.kecamatan_names), read=region.parse_kecamatan)


def _parse_tkdn_number(text: str) -> str:
    """A certificate number; "belum punya" here means there is no certificate yet (the catalog then records no
    TKDN claim), unlike `lewati`, which keeps the claim without its number."""
    if words.is_none(text):
        return " ".join(text.split())
    return parsers.parse_name(text)


def _parse_visibility(text: str) -> str:
    lowered = text.strip().casefold()
    if lowered in VISIBILITY_ALL:
        return "all"
    if lowered == "opd" or "opd" in lowered.split():
        return "opd"
    raise ValidationError("vendor.visibility_invalid")


def _visibility_options(ctx: Context) -> Options:
    return Options(tuple((k, ctx.t(v)) for k, v in VISIBILITY_LABELS.items()), read=_parse_visibility)


def _parse_ekatalog_url(text: str) -> str:
    """A link to the vendor's e-Katalog page; a refusal shows an e-Katalog example."""
    try:
        url = parsers.parse_url(text)
    except ValidationError:
        url = ""
    if not url or len(url) > MAX_URL_CHARS:
        raise ValidationError("vendor.ekatalog_url_invalid", example=parsers.EKATALOG_URL_EXAMPLE)
    return url


def _show_visibility(t: Translator, value: Any) -> str:
    return t(VISIBILITY_LABELS.get(str(value), "vendor.visibility_opd"))


async def _save(ctx: Context, values: dict[str, Any]) -> list[Reply]:
    """Writes the profile and tells the vendor what to do next."""
    existed = await catalog.vendor_of(ctx.session, ctx.user) is not None
    vendor = await catalog.save_vendor(ctx.session, ctx.user, values)
    key = "vendor.updated" if existed else "vendor.saved"
    replies = [ctx.say(key, name=vendor.business_name)]
    if not vendor.tkdn_certified:
        replies.append(ctx.say("vendor.tkdn_tip"))
    replies.append(menu_reply(ctx, "menu.title_short"))
    return replies


FORM = Form(
    NAME,
    on_save=_save,
    fields=(
        Field("business_name", parse=parsers.parse_name),
        Field("owner_name", parse=parsers.parse_name),
        Field("phone", parse=parsers.parse_phone, kind="contact", display=show_phone),
        Field("kecamatan", options=_kecamatan_options),
        Field("address", parse=partial(parsers.parse_description, max_len=300)),
        Field("nib", parse=parsers.parse_nib, optional=True, explain="vendor.explain_nib"),
        yes_no("ekatalog"),
        Field("ekatalog_url", parse=_parse_ekatalog_url, optional=True, when=lambda v: bool(v.get("ekatalog"))),
        yes_no("tkdn_certified"),
        Field(
            "tkdn_number",
            parse=_parse_tkdn_number,
            optional=True,
            reads_none=True,
            when=lambda v: bool(v.get("tkdn_certified")),
        ),
        Field("halal_number", parse=parsers.parse_halal, optional=True),
        Field("pirt_number", parse=parsers.parse_pirt, optional=True),
        Field("description", parse=parsers.parse_description),
        Field("phone_visibility", options=_visibility_options, display=_show_visibility),
    ),
)


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Opens the profile form: empty for a new business, at the summary for an existing one."""
    if ctx.user.consented_at is None:
        return [ctx.say("catalog.consent_needed"), *await ctx.start_flow("consent", NAME)]
    vendor = await catalog.vendor_of(ctx.session, ctx.user)
    if vendor is not None:
        return await FORM.start(
            ctx, catalog.vendor_values(vendor), at="summary", intro="vendor.already", name=vendor.business_name
        )
    return await FORM.start(ctx, intro="vendor.intro")


FLOW = FORM.flow(
    start,
    keywords=("daftar usaha", "daftar", "profil usaha", "ubah usaha", "register business", "my business"),
    commands=("daftar", "usaha"),
    menu=MenuEntry("menu.vendor_profile", frozenset({"vendor", "buyer"}), order=10),
)
