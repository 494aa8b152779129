"""Vendors register their business and products by chatting, then keep them current."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from bot.app import App
from bot.core import actions
from models import AuditLog, Lead, Product, User, Vendor
from tests.support import PROFILE_ANSWERS, Chat, add_product, onboard, register_business, t


async def test_register_business_with_validation_and_consent(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    assert chat.said("vendor.ask_business_name")
    await chat.say("🙂")
    assert chat.said("parse.text.no_letters", example="Keripik Pisang Bu Sri")
    for answer in PROFILE_ANSWERS[:2]:
        await chat.say(answer)
    await chat.say("nomor saya 123")
    assert chat.said("parse.phone.invalid")  # the error shows a right example
    await chat.contact("+62 812-3456-7890")  # sharing the contact works too
    assert chat.labels()[:5] == ["Metro Pusat", "Metro Barat", "Metro Timur", "Metro Utara", "Metro Selatan"]
    await chat.say("Ganjar Agung")  # a kelurahan is not a kecamatan
    assert chat.said("parse.kecamatan.invalid", options=", ".join(chat.labels()[:5]), example="Metro Pusat")
    for answer in PROFILE_ANSWERS[3:]:
        await chat.say(answer)
    await chat.press(t("vendor.visibility_opd"))
    assert chat.said("form.summary_line", label=t("vendor.label_phone"), value="0812-3456-7890")
    assert chat.said("form.summary_line", label=t("vendor.label_ekatalog_url"), value=t("form.empty_value"))
    assert t("vendor.label_tkdn_number") not in chat.text  # not asked, not shown: no TKDN certificate
    await chat.press(t("form.btn_save"))
    assert chat.said("vendor.tkdn_tip")  # the tip on how to get TKDN
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor))
        assert vendor is not None
        assert (vendor.phone, vendor.kecamatan, vendor.ekatalog, vendor.tkdn_certified) == (
            "+6281234567890",
            "Metro Utara",
            True,
            False,
        )
        assert vendor.pirt_number == "1234567890123-45"
        assert vendor.phone_visibility == "opd" and vendor.consented_at is not None and vendor.consent_version


async def test_second_registration_offers_to_edit(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("daftar usaha")
    assert chat.said("vendor.already", name="Keripik Pisang Bu Sari")
    await chat.press(t("form.btn_edit"))
    await chat.press(t("vendor.label_business_name"))
    await chat.say("Keripik Sari Jaya")
    await chat.press(t("form.btn_save"))
    assert chat.said("vendor.updated", name="Keripik Sari Jaya")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 1
        assert await session.scalar(select(Vendor.business_name)) == "Keripik Sari Jaya"


async def test_products_add_list_edit_hide_delete(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("tambah produk")
    assert chat.said("catalog.no_business")
    await register_business(chat)
    await add_product(chat, "Keripik Pisang Original", "Rp15.000", photo="tg-photo-1")
    await add_product(chat, "Keripik Pisang Cokelat", "17rb")
    await chat.say("produk saya")
    assert "(1-2 dari 2)" in chat.text
    assert chat.labels()[0].startswith("Keripik Pisang Cokelat — Rp17.000/bungkus")
    await chat.press("Keripik Pisang Original")
    assert chat.last[0].photo_ref == "tg-photo-1"
    assert chat.said("product.card_price", price="Rp15.000/bungkus") and chat.said("product.card_no_tkdn")
    await chat.press(t("product.btn_edit"))
    await chat.press(t("product.label_price"))
    await chat.say("lima belas ribu")
    assert chat.said("parse.price.words")
    await chat.say("16.500")
    await chat.press(t("form.btn_save"))
    assert chat.said("product.card_price", price="Rp16.500/bungkus")
    await chat.press(t("product.btn_hide"))
    assert chat.said("product.hidden", name="Keripik Pisang Original")
    await chat.say("produk saya")
    assert any("(disembunyikan)" in label for label in chat.labels())
    await chat.press("Keripik Pisang Cokelat")
    await chat.press(t("product.btn_delete"))
    await chat.press(t("product.btn_delete_yes"))
    assert chat.said("product.deleted", name="Keripik Pisang Cokelat") and "(1-1 dari 1)" in chat.text
    async with app.sessions() as session:
        products = list(await session.scalars(select(Product)))
        assert [(p.name, p.price, p.visible) for p in products] == [("Keripik Pisang Original", Decimal(16500), False)]


async def test_paging_of_many_products(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    for i in range(7):
        await add_product(chat, f"Kue Basah {i}", "2rb", "pcs")
    await chat.say("produk saya")
    assert "(1-5 dari 7)" in chat.text
    await chat.press(t("product.btn_next"))
    assert chat.last[0].edit is True and "(6-7 dari 7)" in chat.text
    await chat.press(t("product.btn_prev"))
    assert "(1-5 dari 7)" in chat.text


async def test_forged_payload_for_someone_elses_product_changes_nothing(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await register_business(sari)
    await add_product(sari, "Keripik Pisang Original", "15rb")
    async with app.sessions() as session:
        product = await session.scalar(select(Product))
        assert product is not None
        product_id = product.id
    intruder = await onboard(app.dispatcher, "joko")
    await intruder.say("daftar usaha")
    for answer in ["Toko Joko", "Joko", "0813-1111-2222", "Metro Pusat", "Jl. Merdeka 1", "lewati", "tidak"]:
        await intruder.say(answer)
    for answer in ["tidak", "lewati", "lewati", "Toko kelontong."]:
        await intruder.say(answer)
    await intruder.press(t("vendor.visibility_all"))
    await intruder.press(t("form.btn_save"))
    for verb in ("hide", "del", "delok", "edit", "open"):
        await intruder.press_payload(actions.encode("prod", verb, product_id))
        assert "bukan milik usaha" in intruder.text
    async with app.sessions() as session:
        product = await session.get(Product, product_id)
        assert product is not None and product.visible and product.price == Decimal(15000)
        denied = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "permission.denied")
        )
        assert denied == 5


async def test_restart_in_the_middle_of_adding_a_product_resumes(app: App, database_url: str) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("tambah produk")
    await chat.say("Abon Sapi")
    await chat.press("Makanan")
    await chat.say("Abon sapi asli tanpa pengawet")
    from bot.app import build_app
    from tests.support import make_settings

    restarted = await build_app(make_settings(database_url), migrate=False)
    try:
        again = Chat(restarted.dispatcher, "sari")
        await again.say("45rb")  # the price question was pending before the restart
        assert again.said("product.ask_unit")
        await again.say("bantuan")
        assert again.said("form.help") and again.said("product.ask_unit")
        for answer in ("kotak", "10", "lewati", "lewati", "lewati"):
            await again.say(answer)
        line = t("form.summary_line", label=t("product.label_description"), value="Abon sapi asli tanpa pengawet")
        assert line in again.text
        assert again.said("form.summary_line", label=t("product.label_price"), value="Rp45.000")
        await again.press(t("form.btn_save"))
    finally:
        await restarted.close()
    async with app.sessions() as session:
        product = await session.scalar(select(Product))
        assert product is not None and product.min_order == 10 and product.unit == "kotak"


async def test_my_data_and_delete_my_data(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await add_product(chat, "Keripik Pisang Original", "15rb")
    async with app.sessions() as session, session.begin():
        vendor = await session.scalar(select(Vendor))
        product = await session.scalar(select(Product))
        assert vendor is not None and product is not None
        session.add(Lead(vendor_id=vendor.id, product_id=product.id, product_name=product.name, note="50 bungkus"))
    await chat.say("data saya")
    assert chat.said("data.business", value="Keripik Pisang Bu Sari") and chat.said("data.products", n=1)
    assert "0812-3456-7890" in chat.text
    await chat.press(t("data.btn_delete"))
    assert chat.said("data.confirm_delete")
    await chat.press(t("data.btn_delete_yes"))
    assert chat.said("data.deleted")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 0
        assert await session.scalar(select(func.count()).select_from(Product)) == 0
        lead = await session.scalar(select(Lead))
        assert lead is not None and lead.vendor_id is None and lead.product_name == "Keripik Pisang Original"
        user = await session.scalar(select(User).where(User.role.is_not(None)))
        assert user is not None and user.phone is None and user.consented_at is None


def test_percent_and_price_display() -> None:
    from bot.core.i18n import Translator
    from bot.services.formatting import format_percent
    from handlers.common import price_per_unit

    assert [format_percent(v) for v in (Decimal("45.00"), Decimal("41.20"), Decimal(100), "x")] == [
        "45",
        "41,2",
        "100",
        "x",
    ]
    t = Translator("id")
    assert price_per_unit(t, Decimal(15000), False, "kotak") == "Rp15.000/kotak"
    assert price_per_unit(t, None, True, "kotak") == "Nego"
    assert price_per_unit(t, Decimal(15000), True, "kotak") == "Rp15.000/kotak (bisa nego)"


async def test_an_old_yes_of_an_earlier_question_does_not_answer_the_open_one(app: App) -> None:
    """Issue 8: [Ya] of the e-Katalog question pressed at the TKDN question must not claim a TKDN certificate."""
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    for answer in PROFILE_ANSWERS[:6]:  # up to and including the NIB
        await chat.say(answer)
    ekatalog_buttons = {c.label: c.action for r in chat.last for c in r.choices}
    await chat.say("tidak")  # not in e-Katalog; the TKDN question is open now
    assert chat.said("vendor.ask_tkdn_certified")
    tkdn_buttons = {c.label: c.action for r in chat.last for c in r.choices}
    for stale in (ekatalog_buttons[t("common.yes")], ekatalog_buttons[t("form.btn_back")]):
        await chat.press_payload(stale)
        assert chat.said("form.old_button") and chat.said("vendor.ask_tkdn_certified")
    await chat.say("tidak")  # no TKDN; the halal question is open
    await chat.press_payload(tkdn_buttons[t("common.yes")])  # the old [Ya] of the TKDN question
    assert chat.said("form.old_button") and chat.said("vendor.ask_halal_number")
    await chat.say("lewati")  # halal
    halal_skip = next(c.action for r in chat.last for c in r.choices if c.label == t("form.btn_skip"))
    await chat.say("P-IRT No. 1234567890123-45")
    await chat.press_payload(halal_skip)  # an old Lewati must not skip the description
    assert chat.said("form.old_button") and chat.said("vendor.ask_description")
    await chat.say(PROFILE_ANSWERS[-1])
    await chat.press(t("vendor.visibility_all"))
    assert chat.said("form.summary_line", label=t("vendor.label_tkdn_certified"), value=t("common.no"))
    await chat.press(t("form.btn_save"))
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor))
        assert vendor is not None and (vendor.ekatalog, vendor.tkdn_certified, vendor.tkdn_number) == (
            False,
            False,
            None,
        )


async def test_iya_confirms_the_deletion_of_my_data(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("hapus data saya")
    assert chat.said("data.confirm_delete")
    await chat.say("iya")
    assert chat.said("data.deleted")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 0


async def test_tidak_keeps_the_data_and_the_old_delete_button_then_does_nothing(app: App) -> None:
    """Issue 9 item 7: the [Ya, hapus semua] of an answered question is a stale button."""
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("hapus data saya")
    old_yes = next(c.action for r in chat.last for c in r.choices if c.label == t("data.btn_delete_yes"))
    await chat.press(t("data.btn_delete_no"))
    await chat.press_payload(old_yes)
    assert chat.said("form.old_button") and not chat.said("data.deleted")
    await chat.say("hapus data saya")
    await chat.say("gak")  # a typed no
    await chat.press_payload(old_yes)
    assert chat.said("form.old_button")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 1


async def test_other_input_at_the_delete_question_deletes_nothing(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("hapus data saya")
    old_yes = next(c.action for r in chat.last for c in r.choices if c.label == t("data.btn_delete_yes"))
    await chat.say("bantuan")  # another request: the question is dropped and help is shown
    assert chat.said("help.intro")
    await chat.press_payload(old_yes)
    assert chat.said("form.old_button")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 1


async def test_an_old_product_delete_button_does_nothing_after_tidak(app: App) -> None:
    """Issue 9 item 7: every destructive button belongs to its question."""
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await add_product(chat, "Keripik Pisang Original", "15rb")
    await chat.say("produk saya")
    await chat.press("Keripik Pisang Original")
    await chat.press(t("product.btn_delete"))
    old_yes = next(c.action for r in chat.last for c in r.choices if c.label == t("product.btn_delete_yes"))
    await chat.press(t("product.btn_delete_no"))
    await chat.press_payload(old_yes)
    assert chat.said("form.old_button")
    await chat.press(t("product.btn_delete"))
    await chat.say("tidak")  # a typed no keeps it too
    await chat.press_payload(old_yes)
    assert chat.said("form.old_button")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Product)) == 1
    await chat.press(t("product.btn_delete"))
    await chat.say("iya")  # and a typed yes deletes
    assert chat.said("product.deleted", name="Keripik Pisang Original")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Product)) == 0
