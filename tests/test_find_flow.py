"""OPD staff and residents ask "siapa yang jual X?" and meet the seller, within the vendor's consent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.services.search import reindex_vendor
from models import Product, SearchLog, User, Vendor
from tests.support import onboard, t


async def make_vendor(
    session: AsyncSession, ref: str, name: str, kecamatan: str, products: list[tuple[str, str, int, str]], **kw: object
) -> Vendor:
    vendor = Vendor(
        vendor_ref=ref,
        business_name=name,
        owner_name="Pemilik " + name,
        phone=kw.pop("phone", "+6281200001111"),
        kecamatan=kecamatan,
        address=kw.pop("address", "Jl. Contoh 1"),
        phone_visibility=kw.pop("visibility", "all"),
        **kw,
    )
    session.add(vendor)
    await session.flush()
    for i, (pname, category, price, unit) in enumerate(products):
        session.add(
            Product(
                product_ref=f"{ref}-P{i}",
                vendor_id=vendor.id,
                name=pname,
                category=category,
                price=Decimal(price),
                unit=unit,
                description=f"{pname} buatan {name}",
                tkdn_percent=Decimal(45) if "Original" in pname else None,
                photo_ref="telegram:abc" if "Original" in pname else None,
            )
        )
    await session.flush()
    await reindex_vendor(session, vendor.id)
    return vendor


@pytest.fixture
async def catalog(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await make_vendor(
            session,
            "V-SARI",
            "Keripik Bu Sari",
            "Metro Utara",
            [("Keripik Pisang Original", "makanan-minuman", 15000, "bungkus")],
            ekatalog=True,
            ekatalog_url="https://katalog.inaproc.id/keripik-bu-sari",
        )
        await make_vendor(
            session,
            "V-MAJU",
            "Konveksi Maju",
            "Metro Timur",
            [("Seragam PDH Dinas", "konveksi", 185000, "stel")],
            visibility="opd",
            phone="+6281300002222",
        )
        await make_vendor(
            session,
            "V-KUE",
            "Dapur Kue Yosodadi",
            "Metro Timur",
            [(f"Kue Basah Lapis {i}", "makanan-minuman", 2500 + i, "pcs") for i in range(7)],
        )
        hidden = await make_vendor(
            session, "V-HID", "Toko Tersembunyi", "Metro Pusat", [("Gerabah Hias", "kerajinan", 50000, "pcs")]
        )
        product = await session.scalar(select(Product).where(Product.vendor_id == hidden.id))
        assert product is not None
        product.visible = False
        await reindex_vendor(session, hidden.id)


async def test_buyer_finds_seller_and_contacts_them(app: App, catalog: None) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("siapa yang jual keripik pisang?")
    card = t("find.card", n=1, product="Keripik Pisang Original", price="Rp15.000/bungkus", photo="")
    assert card.split("\n")[0] in chat.text  # without the photo marker: the line starts the same
    assert "Keripik Bu Sari, Metro Utara" in chat.text
    assert chat.said("find.badge_tkdn_percent", percent=45) and chat.said("find.badge_ekatalog")
    await chat.press(t("find.btn_result", n=1, product="Keripik Pisang Original", name="Keripik Bu Sari"))
    reply = chat.last[0]
    assert reply.photo_ref == "telegram:abc"
    assert t("find.seller_phone", phone="0812-0000-1111") in reply.text
    urls = {c.label: c.url for c in reply.choices if c.url}
    assert urls[t("find.btn_whatsapp")] == "https://wa.me/6281200001111"
    assert urls[t("find.btn_ekatalog")] == "https://katalog.inaproc.id/keripik-bu-sari"


async def test_phone_restricted_to_verified_opd(app: App, catalog: None) -> None:
    buyer = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await buyer.say("cari seragam pdh")
    await buyer.press(t("find.btn_result", n=1, product="Seragam PDH Dinas", name="Konveksi Maju"))
    assert "0813" not in buyer.text and buyer.said("find.seller_phone_hidden")
    assert not any(c.url for r in buyer.last for c in r.choices if "wa.me" in (c.url or ""))
    opd = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await opd.say("cari seragam pdh")
    await opd.press(t("find.btn_result", n=1, product="Seragam PDH Dinas", name="Konveksi Maju"))
    assert "0813" not in opd.text  # self-declared OPD staff are not verified yet
    async with app.sessions() as session, session.begin():
        for user in await session.scalars(select(User).where(User.role == "opd")):
            user.opd_verified = True
    await opd.say("cari seragam pdh")
    await opd.press(t("find.btn_result", n=1, product="Seragam PDH Dinas", name="Konveksi Maju"))
    assert opd.said("find.seller_phone", phone="0813-0000-2222")


async def test_paging_edits_the_message(app: App, catalog: None) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("cari kue basah")
    assert "(1-5 dari 7)" in chat.text
    await chat.press(t("find.btn_more"))
    assert chat.last[0].edit and "(6-7 dari 7)" in chat.text
    first_on_page = chat.text.split("1. *")[1].split("*")[0]  # cards are numbered 1-5 on every page
    await chat.say("1")  # a typed number means the card with that number on this page
    assert chat.text.startswith(f"*{first_on_page}*")
    await chat.say("cari kue basah")
    await chat.press(t("find.btn_more"))
    await chat.press(t("find.btn_prev"))
    assert "(1-5 dari 7)" in chat.text


async def test_no_answer_offers_to_record_the_need(app: App, catalog: None) -> None:
    chat = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await chat.say("cari mobil bekas")
    assert chat.said("find.none", query="mobil bekas")
    await chat.press(t("find.btn_record_need"))
    assert chat.said("needs.intro") and chat.said("need_new.ask_quantity")
    await chat.say("2 unit")
    await chat.say("lewati")
    await chat.press(t("form.btn_save"))
    assert chat.said("find.need_recorded")
    async with app.sessions() as session:
        entry = await session.scalar(select(SearchLog).where(SearchLog.query == "mobil bekas"))
        assert entry is not None and entry.unmet and entry.need_recorded and entry.hit_count == 0


async def test_hidden_products_are_not_found(app: App, catalog: None) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("gerabah hias")
    assert chat.said("find.none", query="gerabah hias")


@pytest.mark.parametrize("text", ['keripik" AND (NEAR(x', "keripik:*", "*", "'; DROP TABLE products; --", "🍌🍌"])
async def test_search_syntax_is_just_words(app: App, catalog: None, text: str) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say(text)
    assert not chat.said("error.internal")
    assert chat.last


async def test_cari_alone_asks_then_searches_and_thanks_is_not_a_search(app: App, catalog: None) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("cari")
    assert chat.said("find.ask")
    await chat.say("keripik")
    assert "Keripik Pisang Original" in chat.text
    await chat.say("lainnya")  # the list had one page only
    assert chat.said("find.no_more")
    await chat.say("terima kasih")
    assert chat.said("find.thanks")
    await chat.say("ok")  # a yes out of context: never a search
    assert chat.said("intent.bare_yes")


async def test_after_cari_a_command_or_a_menu_button_goes_to_its_flow(app: App, catalog: None) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("cari")
    await chat.say("bantuan")  # find says "not mine"; the dispatcher routes it to help
    assert chat.said("help.buyer")
    await chat.say("cari")
    await chat.press_payload("menu:go:data")
    assert chat.said("data.title")
    await chat.say("cari")
    await chat.say("batal")
    assert chat.said("menu.title")


async def test_results_grouped_by_seller_and_the_seller_page(app: App, catalog: None) -> None:
    chat = await onboard(app.dispatcher, "andi", t("start.role_buyer"))
    await chat.say("kue basah")
    # One seller, five matching products: one entry (the business named once), five buttons apart by name.
    assert chat.text.count("Dapur Kue Yosodadi, Metro Timur") == 1
    labels = [label for label in chat.labels() if label[0].isdigit()]
    assert len(labels) == 5 and len(set(labels)) == 5 and all("Kue Basah Lapis" in label for label in labels)
    assert chat.said("find.order_reason")
    await chat.press(labels[1])
    assert chat.said("find.seller_title", product=labels[1].split(". ", 1)[1].split(" · ")[0])
    await chat.press(t("find.btn_all_products", name="Dapur Kue Yosodadi"))
    assert chat.said("find.seller_products_title", business="Dapur Kue Yosodadi")
    assert chat.text.count("Kue Basah Lapis") == 7  # every visible product of the seller
    await chat.press("3.")
    assert chat.said("find.seller_title", product="Kue Basah Lapis 2")
    await chat.say("kue basah")
    await chat.press(t("find.btn_more"))
    await chat.press("1.")
    await chat.press(t("find.btn_back_results"))
    assert "(6-7 dari 7)" in chat.text  # back to the page it came from
