"""The worst lines of the copy review (issue 14, "Copy"), each seen in a console transcript."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.services import parsers
from models import SearchLog, Vendor
from tests.support import PROFILE_ANSWERS, add_product, onboard, register_business, t


async def test_phone_example_is_one_and_the_same(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await chat.say("daftar usaha")
    for answer in PROFILE_ANSWERS[:2]:
        await chat.say(answer)
    assert chat.said("vendor.ask_phone") and parsers.PHONE_EXAMPLE in chat.text
    await chat.say("nomor saya 123")
    assert chat.said("parse.phone.invalid") and parsers.PHONE_EXAMPLE in chat.text
    await chat.say(parsers.PHONE_EXAMPLE)  # the example itself, dashes and all, is accepted
    assert chat.said("vendor.ask_kecamatan")


async def test_product_deletion_asks_in_one_short_question(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await add_product(chat, "Keripik Pisang Original", "15rb")
    await chat.say("produk saya")
    await chat.press("Keripik Pisang Original")
    await chat.press(t("product.btn_delete"))
    assert chat.said("product.confirm_delete", name="Keripik Pisang Original")
    assert len(chat.last) == 1 and chat.labels() == [t("product.btn_delete_yes"), t("product.btn_delete_no")]
    await chat.say("ya")
    assert chat.said("product.deleted", name="Keripik Pisang Original")


async def test_data_deletion_asks_in_one_short_question(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    await register_business(chat)
    await chat.say("hapus data saya")
    assert chat.said("data.confirm_delete")
    assert len(chat.last) == 1 and chat.labels() == [t("data.btn_delete_yes"), t("data.btn_delete_no")]
    await chat.say("tidak")
    assert not chat.said("data.confirm_delete") and not chat.said("data.deleted")
    async with app.sessions() as session:
        assert await session.scalar(select(Vendor.business_name)) == PROFILE_ANSWERS[0]  # nothing deleted
    await chat.say("hapus data saya")
    await chat.say("ya")
    assert chat.said("data.deleted")


async def test_spelling_correction_says_what_it_searched(app: App) -> None:
    seller = await onboard(app.dispatcher, "sari")
    await register_business(seller)
    await add_product(seller, "Keripik Pisang Original", "15rb")
    buyer = await onboard(app.dispatcher, "warga", t("start.role_buyer"))
    await buyer.say("kripik pisng")
    assert buyer.said("find.corrected", words="keripik pisang")  # the phrase searched, not only "pisang"
    assert "Keripik Pisang Original" in buyer.text
    assert "Saya baca sebagai" not in buyer.text


async def test_hidden_phone_says_what_to_do_now(app: App) -> None:
    seller = await onboard(app.dispatcher, "sari")
    await seller.say("daftar usaha")
    for answer in PROFILE_ANSWERS:
        await seller.say(answer)
    await seller.press(t("vendor.visibility_opd"))
    await seller.press(t("form.btn_save"))
    await add_product(seller, "Keripik Pisang Original", "15rb")
    buyer = await onboard(app.dispatcher, "warga", t("start.role_buyer"))
    await buyer.say("cari keripik pisang")
    await buyer.press("1.")
    assert buyer.said("find.seller_phone_hidden") and PROFILE_ANSWERS[2] not in buyer.text
    assert t("leads.btn_interest") in buyer.labels()  # what the text offers now: send interest
    await buyer.press(t("leads.btn_interest"))
    assert buyer.said("leads.intro")


async def test_permission_refusal_names_whom_to_contact(app: App) -> None:
    chat = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    await chat.press_payload("admin:ok:1")  # an admin's button, forged by a resident
    assert chat.said("error.not_allowed")
    assert "Diskoperin" in chat.text  # whom to contact, as docs/glossary.md names the office


async def test_not_understood_says_what_to_do_next(app: App) -> None:
    chat = await onboard(app.dispatcher, "warga", t("start.role_buyer"))
    for typed in ("yang itu", "mau tanya dong", "ada yang jual?", "cari yang itu"):  # no product, place or price
        await chat.say(typed)
        assert chat.said("fallback.unknown") and chat.said("menu.title_short")
        assert not chat.said("find.none", query=typed.removeprefix("cari ").strip(" ?"))
        assert t("find.btn_record_need") not in chat.labels()  # nothing to record as a need
    await chat.say("iya")  # a bare yes is not a search either
    assert chat.said("intent.bare_yes") and not chat.said("find.none", query="iya")
    await chat.say("sepatu kulit")  # a real product nobody sells yet: "no seller", and the need can be recorded
    assert chat.said("find.none", query="sepatu kulit") and not chat.said("fallback.unknown")
    assert t("find.btn_record_need") in chat.labels()
    async with app.sessions() as session:  # only the real question was logged as a search
        assert (await session.scalars(select(SearchLog.query))).all() == ["sepatu kulit"]
