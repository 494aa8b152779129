"""Who may do what, and the odd inputs around it: admins verify OPD staff, payloads are only requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core import actions
from bot.services.catalog_io import import_catalog
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from bot.services.parsers import DESCRIPTION_EXAMPLE
from models import AuditLog, Product, SearchLog, User, Vendor
from tests.support import (
    PROFILE_ANSWERS,
    Chat,
    add_product,
    fill_opd_profile,
    onboard,
    register_business,
    t,
    write_csv,
)


async def test_admin_verifies_opd_staff_who_then_see_restricted_phones(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await register_business(sari)  # phone visible to everyone: change it to OPD only
    await sari.say("daftar usaha")
    await sari.press(t("form.btn_edit"))
    await sari.press(t("vendor.label_phone_visibility"))
    await sari.press(t("vendor.visibility_opd"))
    await sari.press(t("form.btn_save"))
    await add_product(sari, "Keripik Pisang Original", "15rb")

    opd = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await fill_opd_profile(opd)
    await opd.say("verifikasi")  # not an admin: refused by the service, whatever was typed
    assert opd.said("error.not_allowed")

    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await admin.say("menu")
    assert t("menu.admin_verify") in admin.labels()
    await admin.press(t("menu.admin_verify"))
    assert "1. Rina Marlina" in admin.text
    await admin.press(t("verify.btn_approve", n=1))
    assert admin.said("verify.approved", name="Rina Marlina") and admin.said("admin.none_pending")

    await opd.say("keripik pisang")
    await opd.press(t("find.btn_result", n=1, product="Keripik Pisang Original", name="Keripik Pisang Bu Sari"))
    assert opd.said("find.seller_phone", phone="0812-3456-7890")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "opd.verify"))


async def test_forged_admin_payload_is_refused(app: App) -> None:
    opd = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    async with app.sessions() as session:
        rina = await session.scalar(select(User).where(User.role == "opd"))
        assert rina is not None
    await opd.press_payload(actions.encode("admin", "ok", rina.id))
    assert opd.said("error.not_allowed")
    async with app.sessions() as session:
        rina = await session.get(User, rina.id)
        assert rina is not None and not rina.opd_verified


@pytest.mark.parametrize("payload", ["prod:open:²", "prod:open:" + "9" * 30, "find:more:²:²", "admin:ok:-1", "f:pick"])
async def test_malformed_numbers_in_payloads_do_not_crash(app: App, payload: str) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.press_payload(payload)
    assert chat.last and "gangguan" not in chat.text


async def test_typed_odd_digits_when_buttons_are_shown(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("menu")
    for typed in ("²", "٣", "9" * 5000, "0", "99"):
        await chat.say(typed)
        assert "gangguan" not in chat.text


async def test_forged_pick_on_the_photo_step_stores_nothing(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("tambah produk")
    for answer in ("Keripik", "1", "lewati", "15rb", "bungkus", "lewati", "lewati"):  # no TKDN % without a certificate
        await chat.say(answer)
    form_button = next(c.action for r in chat.last for c in r.choices if c.action.startswith("f:"))
    _f, _verb, conversation_id, step = form_button.split(":")[:4]
    await chat.press_payload(f"f:pick:{conversation_id}:{step}:evil")  # the open question, a forged value
    assert chat.said("form.pick_from_buttons")
    await chat.say("lewati")
    await chat.press(t("form.btn_save"))
    async with app.sessions() as session:
        product = await session.scalar(select(Product))
        assert product is not None and product.photo_ref is None


async def test_words_of_other_flows_inside_a_form_and_after_cari(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    await chat.say("peran")
    assert chat.said("form.leave_hint") and chat.said("vendor.ask_business_name")
    await chat.say("menu")
    assert chat.said("form.leave_hint")
    await chat.say("batal")
    await chat.say("cari")
    await chat.say("bantuan")
    assert chat.said("help.vendor")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SearchLog)) == 0


async def test_menu_button_during_a_form_is_not_called_old(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("menu")
    menu_button = next(c.action for r in chat.last for c in r.choices if c.label == t("menu.help"))
    await chat.say("daftar usaha")
    await chat.press_payload(menu_button)
    assert chat.said("form.leave_hint") and not chat.said("form.old_button")


async def test_consent_given_later_leads_straight_into_the_business_form(app: App) -> None:
    chat = Chat(app.dispatcher, "sari")
    await chat.say("halo")
    await chat.press(t("language.name_id"))
    await chat.press(t("start.role_buyer"))
    await chat.press(t("start.btn_disagree"))
    await chat.say("daftar usaha")
    assert chat.said("catalog.consent_needed")
    await chat.press(t("start.btn_agree"))  # the consent flow, started by the vendor flow, hands back to it
    assert chat.said("vendor.ask_business_name")


async def test_opd_staff_who_register_a_business_keep_their_role(app: App) -> None:
    chat = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await register_business(chat)
    async with app.sessions() as session:
        user = await session.scalar(select(User).where(User.display_name == "Rina"))
        assert user is not None and user.role == "opd"


async def test_long_address_is_refused_politely(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    for answer in PROFILE_ANSWERS[:4]:
        await chat.say(answer)
    await chat.say("Jl. " + "Panjang " * 60)
    assert chat.said("parse.text.too_long", max=300, example=DESCRIPTION_EXAMPLE)
    assert chat.said("vendor.ask_address")


async def test_verified_vendor_who_changes_name_is_verified_again(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    async with app.sessions() as session, session.begin():
        vendor = await session.scalar(select(Vendor))
        assert vendor is not None
        vendor.verified = True
    await chat.say("daftar usaha")
    await chat.press(t("form.btn_edit"))
    await chat.press(t("vendor.label_business_name"))
    await chat.say("Nama Lain Sama Sekali")
    await chat.press(t("form.btn_save"))
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor))
        assert vendor is not None and not vendor.verified


async def test_someone_elses_search_cannot_be_paged_or_recorded(app: App) -> None:
    andi = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await andi.say("mobil bekas")
    async with app.sessions() as session:
        entry = await session.scalar(select(SearchLog))
        assert entry is not None
    joko = await onboard(app.dispatcher, "joko", t("start.role_buyer"))
    await joko.press_payload(actions.encode("find", "need", entry.id))
    assert joko.said("error.not_allowed") or joko.said("form.old_button")
    await joko.press_payload(actions.encode("find", "more", entry.id, 5))
    assert joko.said("form.old_button")
    async with app.sessions() as session:
        entry = await session.get(SearchLog, entry.id)
        assert entry is not None and not entry.need_recorded


async def test_deleting_my_data_anonymises_my_searches(app: App) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("mobil bekas")
    await chat.say("hapus data saya")
    await chat.press(t("data.btn_delete_yes"))
    async with app.sessions() as session:
        entry = await session.scalar(select(SearchLog))
        assert entry is not None and entry.user_id is None and entry.query == "mobil bekas"


async def test_import_refuses_refs_that_cannot_travel_in_buttons(app: App, tmp_path: Path) -> None:
    vendors = write_csv(
        tmp_path / "vendors.csv",
        VENDOR_COLUMNS,
        [["V:1", "Toko A", "Ani", "0812-1111-2222", "Metro Pusat", "Jl. A", "", "tidak", "tidak", "tidak", ""]],
    )
    products = write_csv(
        tmp_path / "products.csv",
        PRODUCT_COLUMNS,
        [["P" * 50, "V:1", "Kopi", "makanan-minuman", "", "15000", "pcs", ""]],
    )
    report = await import_catalog(app.sessions, vendors, products)
    assert not report.ok
    assert {(e.column, e.code) for e in report.errors} >= {("vendor_ref", "import.ref.invalid")}
    assert any(e.column == "product_ref" for e in report.errors)
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vendor)) == 0
