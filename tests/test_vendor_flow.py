"""Vendors register their business and products by chatting, then keep them current."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from bot.app import App
from bot.core import actions
from models import AuditLog, Lead, Product, User, Vendor
from tests.support import PROFILE_ANSWERS, Chat, add_product, onboard, register_business


async def test_register_business_with_validation_and_consent(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    assert "Apa nama usaha" in chat.text
    await chat.say("🙂")
    assert "huruf" in chat.text.lower() or "contoh" in chat.text.lower()
    for answer in PROFILE_ANSWERS[:2]:
        await chat.say(answer)
    await chat.say("nomor saya 123")
    assert "0812-3456-7890" in chat.text  # the error shows a right example
    await chat.contact("+62 812-3456-7890")  # sharing the contact works too
    assert chat.labels()[:5] == ["Metro Pusat", "Metro Barat", "Metro Timur", "Metro Utara", "Metro Selatan"]
    await chat.say("Ganjar Agung")  # a kelurahan is not a kecamatan
    assert "kecamatan" in chat.text.lower()
    for answer in PROFILE_ANSWERS[3:]:
        await chat.say(answer)
    await chat.press("Hanya staf OPD")
    assert "• Nomor WA/HP: 0812-3456-7890" in chat.text
    assert "• Tautan e-Katalog: -" in chat.text
    assert "Nomor TKDN" not in chat.text  # not asked, not shown: no TKDN certificate
    await chat.press("Simpan")
    assert "TKDN-IK" in chat.text  # the tip on how to get TKDN
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
    assert "sudah terdaftar sebagai *Keripik Pisang Bu Sari*" in chat.text
    await chat.press("Ubah")
    await chat.press("Nama usaha")
    await chat.say("Keripik Sari Jaya")
    await chat.press("Simpan")
    assert "sudah diperbarui" in chat.text
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 1
        assert await session.scalar(select(Vendor.business_name)) == "Keripik Sari Jaya"


async def test_products_add_list_edit_hide_delete(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("tambah produk")
    assert "belum mendaftarkan usaha" in chat.text
    await register_business(chat)
    await add_product(chat, "Keripik Pisang Original", "Rp15.000", photo="tg-photo-1")
    await add_product(chat, "Keripik Pisang Cokelat", "17rb")
    await chat.say("produk saya")
    assert "(1-2 dari 2)" in chat.text
    assert chat.labels()[0].startswith("Keripik Pisang Cokelat — Rp17.000/bungkus")
    await chat.press("Keripik Pisang Original")
    assert chat.last[0].photo_ref == "tg-photo-1"
    assert "Harga: Rp15.000/bungkus" in chat.text and "TKDN: belum ada" in chat.text
    await chat.press("Ubah")
    await chat.press("Harga")
    await chat.say("lima belas ribu")
    assert "angka" in chat.text
    await chat.say("16.500")
    await chat.press("Simpan")
    assert "Harga: Rp16.500/bungkus" in chat.text
    await chat.press("Sembunyikan")
    assert "disembunyikan" in chat.text
    await chat.say("produk saya")
    assert any("(disembunyikan)" in label for label in chat.labels())
    await chat.press("Keripik Pisang Cokelat")
    await chat.press("Hapus")
    await chat.press("Ya, hapus")
    assert "sudah dihapus" in chat.text and "(1-1 dari 1)" in chat.text
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
    await chat.press("Berikutnya")
    assert chat.last[0].edit is True and "(6-7 dari 7)" in chat.text
    await chat.press("« Sebelumnya")
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
    await intruder.press("Semua yang mencari")
    await intruder.press("Simpan")
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
        assert "per apa" in again.text
        await again.say("bantuan")
        assert "Harga itu per apa" in again.text
        for answer in ("kotak", "10", "lewati", "lewati", "lewati"):
            await again.say(answer)
        assert "• Keterangan: Abon sapi asli tanpa pengawet" in again.text
        assert "• Harga: Rp45.000" in again.text
        await again.press("Simpan")
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
    assert "• Usaha: Keripik Pisang Bu Sari" in chat.text and "• 1 produk" in chat.text
    assert "0812-3456-7890" in chat.text
    await chat.press("Hapus data saya")
    assert "tidak bisa dibatalkan" in chat.text
    await chat.press("Ya, hapus semua")
    assert "sudah dihapus" in chat.text
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 0
        assert await session.scalar(select(func.count()).select_from(Product)) == 0
        lead = await session.scalar(select(Lead))
        assert lead is not None and lead.vendor_id is None and lead.product_name == "Keripik Pisang Original"
        user = await session.scalar(select(User).where(User.role.is_not(None)))
        assert user is not None and user.phone is None and user.consented_at is None


def test_percent_and_price_display() -> None:
    from bot.core.i18n import Translator
    from handlers.common import format_percent, price_per_unit

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
