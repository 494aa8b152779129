"""Forms accept what people actually type (issue 14, "Forms"): one console transcript per friction."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.services import parsers
from models import Product, Vendor
from tests.support import PROFILE_ANSWERS, Chat, onboard, register_business, t


async def _profile_until_nib(chat: Chat) -> None:
    await chat.say("daftar usaha")
    for answer in PROFILE_ANSWERS[:5]:
        await chat.say(answer)
    assert chat.said("vendor.ask_nib")


async def _product_until_price(chat: Chat, name: str = "Keripik Pisang Original") -> None:
    await chat.say("tambah produk")
    await chat.say(name)
    await chat.press("Makanan")
    await chat.say("lewati")
    assert chat.said("product.ask_price")


async def test_everyday_none_answers_skip_optional_fields(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await _profile_until_nib(chat)
    await chat.say("belum punya")
    assert chat.said("vendor.ask_ekatalog")  # the NIB was skipped, not refused
    await chat.say("belum ada")  # at a yes/no question it is a plain "no"
    assert chat.said("vendor.ask_tkdn_certified")
    await chat.say("tidak")
    await chat.say("blm punya")  # halal number
    assert chat.said("vendor.ask_pirt_number")
    await chat.say("gak tau")  # P-IRT number
    assert chat.said("vendor.ask_description")
    await chat.say(PROFILE_ANSWERS[-1])
    await chat.press(t("vendor.visibility_all"))
    await chat.press(t("form.btn_save"))
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor))
        assert vendor is not None
        assert (vendor.nib, vendor.ekatalog, vendor.halal_number, vendor.pirt_number) == (None, False, None, None)


async def test_nib_question_is_explained(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await _profile_until_nib(chat)
    await chat.say("nib itu apa ya?")
    assert chat.said("vendor.explain_nib") and chat.said("vendor.ask_nib")
    await chat.say("lewati")
    assert chat.said("vendor.ask_ekatalog")


async def test_unclear_yes_no_is_asked_again(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await _profile_until_nib(chat)
    await chat.say("lewati")
    await chat.say("gak tau")
    assert chat.said("parse.yes_no.invalid", example="ya") and chat.said("vendor.ask_ekatalog")
    await chat.say("ya")
    assert chat.said("vendor.ask_ekatalog_url")


async def test_ekatalog_link_error_gives_an_ekatalog_example(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await _profile_until_nib(chat)
    await chat.say("lewati")
    await chat.say("ya")
    await chat.say("link saya belum tahu")
    assert chat.said("vendor.ekatalog_url_invalid", example=parsers.EKATALOG_URL_EXAMPLE)
    assert "e-katalog" in parsers.EKATALOG_URL_EXAMPLE


async def test_min_quantity_unit_from_price_and_summary_units(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)  # no TKDN certificate
    await _product_until_price(chat, "Keripik PISANG Bu Sari")
    await chat.say("Rp 25.000/bungkus")
    assert chat.said("product.ask_min_order")  # the unit came with the price
    await chat.say("min 10 bungkus")
    assert chat.said("product.ask_monthly_capacity")
    await chat.say("minimal 500")
    assert chat.said("product.ask_photo")  # no TKDN % question without a TKDN certificate
    await chat.say("lewati")
    assert chat.said("form.summary_line", label=t("product.label_price"), value="Rp25.000/bungkus")
    assert chat.said("form.summary_line", label=t("product.label_min_order"), value="10 bungkus")
    assert chat.said("form.summary_line", label=t("product.label_name"), value="Keripik PISANG Bu Sari")
    assert t("product.label_tkdn_percent") not in chat.text
    await chat.press(t("form.btn_save"))
    async with app.sessions() as session:
        product = await session.scalar(select(Product))
        assert product is not None
        assert (product.name, product.unit, product.min_order, product.monthly_capacity) == (
            "Keripik PISANG Bu Sari",
            "bungkus",
            10,
            500,
        )


async def test_tkdn_percent_asked_only_with_a_certificate(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    async with app.sessions() as session, session.begin():
        vendor = await session.scalar(select(Vendor))
        assert vendor is not None
        vendor.tkdn_certified = True
    await _product_until_price(chat)
    await chat.say("15rb")
    await chat.say("bungkus")
    await chat.say("lewati")
    await chat.say("lewati")
    assert chat.said("product.ask_tkdn_percent")


async def test_top_level_commands_mid_form_offer_to_leave(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("tambah produk")
    await chat.say("Keripik Pisang")
    assert chat.said("product.ask_category")
    for command in ("produk saya", "data saya", "hapus data saya", "acara", "permintaan saya", "daftar usaha"):
        await chat.say(command)
        assert chat.said("form.leave_hint") and chat.said("product.ask_category")
        assert not chat.said("product.category_invalid")
    await chat.press("Makanan")
    assert chat.said("product.ask_description")  # the form went on where it was


async def test_question_at_free_text_field_is_confirmed(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("tambah produk")
    await chat.say("siapa yang jual kemplang?")
    label = t("product.label_name")
    assert chat.said("form.confirm_answer", query="kemplang", answer="siapa yang jual kemplang?", label=label)
    await chat.press(t("form.btn_keep_answer", label=label))
    assert chat.said("product.ask_category")  # kept as the name once confirmed
    await chat.say("batal")
    await chat.say("tambah produk")
    await chat.say("cari kemplang")
    await chat.press(t("form.btn_search_instead", query="kemplang"))
    assert not chat.said("product.ask_category")
    async with app.sessions() as session:
        assert await session.scalar(select(Product)) is None


async def test_cancel_after_many_answers_asks_once(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    for answer in PROFILE_ANSWERS[:3]:
        await chat.say(answer)
    await chat.say("batal")
    assert chat.said("form.confirm_cancel", n=3)
    await chat.press(t("form.btn_continue"))
    assert chat.said("vendor.ask_kecamatan")
    await chat.say("batal")
    assert chat.said("form.confirm_cancel", n=3)
    await chat.say("batal")
    assert chat.said("form.cancelled")


async def test_short_form_cancel_does_not_ask(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    await chat.say(PROFILE_ANSWERS[0])
    await chat.say("batal")
    assert chat.said("form.cancelled")


async def test_cancel_while_viewing_profile_says_nothing_changed(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("daftar usaha")
    assert chat.said("vendor.already", name=PROFILE_ANSWERS[0])
    await chat.say("batal")
    assert chat.said("form.cancelled_unchanged") and not chat.said("form.cancelled")
    async with app.sessions() as session:
        assert await session.scalar(select(Vendor.business_name)) == PROFILE_ANSWERS[0]
