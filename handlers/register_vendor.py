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
from bot.core.errors import ValidationError
from bot.core.forms import Field, Form
from bot.core.i18n import Translator
from bot.core.messages import Reply
from bot.core.registry import Flow, MenuEntry
from bot.services import catalog, parsing
from handlers.common import show_phone, show_yes_no
from handlers.menu import menu_reply

NAME = "vendor"
MAX_URL_CHARS = 500  # the vendors.ekatalog_url column
VISIBILITY_LABELS = {"all": "vendor.visibility_all", "opd": "vendor.visibility_opd"}


def yes_no_options(ctx: Context) -> list[tuple[str, str]]:
    """Ya / Tidak buttons."""
    return [("ya", ctx.t("common.yes")), ("tidak", ctx.t("common.no"))]


def _kecamatan_options(ctx: Context) -> list[tuple[str, str]]:
    return [(name, name) for name in ctx.region.kecamatan_names]


def _parse_kecamatan(ctx: Context, text: str) -> str:
    return ctx.region.parse_kecamatan(text)


def _parse_visibility(text: str) -> str:
    lowered = text.strip().casefold()
    if lowered in {"all", "semua", "everyone", "umum", "semua orang"}:
        return "all"
    if lowered == "opd" or "opd" in lowered.split():
        return "opd"
    raise ValidationError("vendor.visibility_invalid")


def _parse_ekatalog_url(text: str) -> str:
    url = parsing.parse_url(text)
    if len(url) > MAX_URL_CHARS:
        raise ValidationError("parse.url.invalid")
    return url


def _show_visibility(t: Translator, value: Any) -> str:
    return t(VISIBILITY_LABELS.get(str(value), "vendor.visibility_opd"))


FORM_FIELDS = (
    Field("business_name", "vendor.ask_business_name", "vendor.label_business_name", parsing.parse_name),
    Field("owner_name", "vendor.ask_owner_name", "vendor.label_owner_name", parsing.parse_name),
    Field("phone", "vendor.ask_phone", "vendor.label_phone", parsing.parse_phone, kind="contact", display=show_phone),
    Field(
        "kecamatan",
        "vendor.ask_kecamatan",
        "vendor.label_kecamatan",
        _parse_kecamatan,
        options=_kecamatan_options,
        needs_context=True,
    ),
    Field("address", "vendor.ask_address", "vendor.label_address", partial(parsing.parse_description, max_len=300)),
    Field("nib", "vendor.ask_nib", "vendor.label_nib", parsing.parse_nib, optional=True),
    Field(
        "ekatalog",
        "vendor.ask_ekatalog",
        "vendor.label_ekatalog",
        parsing.parse_yes_no,
        options=yes_no_options,
        display=show_yes_no,
    ),
    Field(
        "ekatalog_url",
        "vendor.ask_ekatalog_url",
        "vendor.label_ekatalog_url",
        _parse_ekatalog_url,
        optional=True,
        when=lambda v: bool(v.get("ekatalog")),
    ),
    Field(
        "tkdn_certified",
        "vendor.ask_tkdn",
        "vendor.label_tkdn",
        parsing.parse_yes_no,
        options=yes_no_options,
        display=show_yes_no,
    ),
    Field(
        "tkdn_number",
        "vendor.ask_tkdn_number",
        "vendor.label_tkdn_number",
        parsing.parse_name,
        optional=True,
        when=lambda v: bool(v.get("tkdn_certified")),
    ),
    Field("halal_number", "vendor.ask_halal", "vendor.label_halal", parsing.parse_halal, optional=True),
    Field("pirt_number", "vendor.ask_pirt", "vendor.label_pirt", parsing.parse_pirt, optional=True),
    Field("description", "vendor.ask_description", "vendor.label_description", parsing.parse_description),
    Field(
        "phone_visibility",
        "vendor.ask_visibility",
        "vendor.label_visibility",
        _parse_visibility,
        options=lambda ctx: [(k, ctx.t(v)) for k, v in VISIBILITY_LABELS.items()],
        display=_show_visibility,
    ),
)


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


FORM = Form(name=NAME, fields=FORM_FIELDS, on_save=_save)


async def start(ctx: Context, _argument: str) -> list[Reply]:
    """Opens the profile form: empty for a new business, at the summary for an existing one."""
    if ctx.user.consented_at is None:
        from handlers.start import ask_consent

        return [ctx.say("catalog.consent_needed"), *await ask_consent(ctx, NAME)]
    vendor = await catalog.vendor_of(ctx.session, ctx.user)
    if vendor is not None:
        return await FORM.start(
            ctx, catalog.vendor_values(vendor), at="summary", intro="vendor.already", name=vendor.business_name
        )
    return await FORM.start(ctx, intro="vendor.intro")


FLOW = Flow(
    name=NAME,
    start=start,
    resume=FORM.resume,
    keywords=("daftar usaha", "daftar", "profil usaha", "ubah usaha", "register business", "my business"),
    commands=("daftar", "usaha"),
    menu=MenuEntry("menu.vendor_profile", frozenset({"vendor", "buyer"}), order=10),
)
