"""Vendor claims are claims until the Dinas checks them: badges, ranking, the admin's check, imports."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.core import actions
from bot.services import claims
from bot.services.catalog_io import import_catalog
from bot.services.catalog_rows import PRODUCT_COLUMNS, VENDOR_COLUMNS
from bot.services.search import search
from bot.services.search.index import reindex_product
from models import AuditLog, Identity, OutboxMessage, Product, User, Vendor, VendorClaim
from tests.support import PROFILE_ANSWERS, Chat, fill_opd_profile, onboard, t, write_csv

TKDN_NUMBER = "1234/TKDN/2026"


async def _register(chat: Chat, tkdn: list[str], visibility: str = "vendor.visibility_all") -> None:
    """The profile of tests/support.py with e-Katalog ya and the given answers to the TKDN questions."""
    answers = PROFILE_ANSWERS[:8] + tkdn + PROFILE_ANSWERS[9:]
    await chat.say("daftar usaha")
    for answer in answers:
        await chat.say(answer)
    await chat.press(t(visibility))
    await chat.press(t("form.btn_save"))


async def _product(chat: Chat, tkdn_percent: str) -> None:
    await chat.say("tambah produk")
    for step in ("Keripik Pisang Cokelat", "Makanan", "lewati", "15rb", "bungkus", "lewati", "lewati", tkdn_percent):
        if step == "Makanan":
            await chat.press(step)
        else:
            await chat.say(step)
    await chat.say("lewati")  # photo
    await chat.press(t("form.btn_save"))
    assert chat.said("product.saved", name="Keripik Pisang Cokelat")


async def _vendor(app: App) -> Vendor:
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor))
        assert vendor is not None
        return vendor


async def _notice_keys(app: App, user_id: int | None) -> list[str]:
    async with app.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.payload)
            .join(Identity, Identity.id == OutboxMessage.identity_id)
            .where(Identity.user_id == user_id, OutboxMessage.kind == "notice")
            .order_by(OutboxMessage.id)
        )
        return [json.loads(p)["notice"]["key"] for p in rows]


def _unchecked(key: str, **params: object) -> str:
    return t("claims.unchecked_badge", badge=t(key, **params))


async def test_claims_show_unchecked_until_the_admin_checks_them_and_the_badge_follows(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await _register(sari, ["ya", TKDN_NUMBER])
    await _product(sari, "45")
    buyer = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    await buyer.say("keripik pisang cokelat")
    assert _unchecked("find.badge_tkdn_percent", percent="45") in buyer.text
    assert _unchecked("find.badge_ekatalog") in buyer.text and t("find.badge_verified") not in buyer.text
    await buyer.press("1. ")
    assert _unchecked("find.seller_ekatalog_yes") in buyer.text

    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await admin.say("periksa klaim")
    assert admin.said("claims.queue_title", first=1, last=1, total=1) and PROFILE_ANSWERS[0] in admin.text
    await admin.press(t("claims.btn_open", n=1))
    assert TKDN_NUMBER in admin.text and "Keripik Pisang Cokelat: 45%" in admin.text
    for n in (1, 2, 3):  # tkdn certificate, e-Katalog, the product's 45%
        await admin.press(t("claims.btn_approve", n=n))
        assert admin.said("claims.approved")
    await admin.say("periksa klaim")
    assert admin.said("claims.none_pending")

    vendor = await _vendor(app)
    assert vendor.verified
    assert sorted(await _notice_keys(app, vendor.user_id)) == [
        "claims.notice_approved_ekatalog",
        "claims.notice_approved_tkdn",
        "claims.notice_approved_tkdn_percent",
    ]
    await buyer.say("keripik pisang cokelat")
    assert t("find.badge_tkdn_percent", percent="45") in buyer.text and t("find.badge_verified") in buyer.text
    assert t("claims.unchecked_badge", badge="").strip() not in buyer.text

    # The vendor changes the certificate number: unchecked again, and the verified badge goes.
    await sari.say("daftar usaha")
    await sari.press(t("form.btn_edit"))
    await sari.press(t("vendor.label_tkdn_number"))
    await sari.say("9999/TKDN/2026")
    await sari.press(t("form.btn_save"))
    vendor = await _vendor(app)
    assert not vendor.verified
    async with app.sessions() as session:
        found = {c.kind: c.status for c in await claims.claims_of(session, vendor)}
    assert found == {"tkdn": claims.UNCHECKED, "ekatalog": claims.APPROVED, "tkdn_percent": claims.APPROVED}


async def test_a_rejected_claim_tells_the_vendor_why(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await _register(sari, ["ya", TKDN_NUMBER])
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await admin.say("periksa klaim")
    await admin.press(t("claims.btn_open", n=1))
    await admin.press(t("claims.btn_reject", n=1))
    assert admin.said("verify.ask_reason")
    await admin.say("Nomor tidak terdaftar di SIINas")
    assert admin.said("claims.rejected")
    vendor = await _vendor(app)
    assert not vendor.verified
    async with app.sessions() as session:
        row = await session.scalar(select(VendorClaim).where(VendorClaim.claim == "tkdn"))
        assert row is not None and (row.status, row.reason, row.value) == (
            "rejected",
            "Nomor tidak terdaftar di SIINas",
            TKDN_NUMBER,
        )
        payload = await session.scalar(select(OutboxMessage.payload).where(OutboxMessage.kind == "notice"))
        assert payload is not None
    notice = json.loads(payload)["notice"]
    assert notice["key"] == "claims.notice_rejected_tkdn"
    assert notice["params"]["reason"] == "Nomor tidak terdaftar di SIINas"


async def test_tkdn_yes_then_no_certificate_number_is_no_tkdn_claim(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await _register(sari, ["ya", "belum punya"])
    vendor = await _vendor(app)
    assert not vendor.tkdn_certified and vendor.tkdn_number is None
    await add_plain_product(sari)
    buyer = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    await buyer.say("keripik pisang original")
    assert t("find.badge_no_tkdn") in buyer.text and t("find.badge_tkdn") not in buyer.text
    await buyer.press("1. ")
    assert buyer.said("find.seller_no_tkdn") and t("find.seller_tkdn_certified") not in buyer.text


async def add_plain_product(chat: Chat) -> None:
    await chat.say("tambah produk")
    await chat.say("Keripik Pisang Original")
    await chat.press("Makanan")
    for answer in ("lewati", "15rb", "bungkus", "lewati", "lewati", "lewati", "lewati"):
        await chat.say(answer)
    await chat.press(t("form.btn_save"))


async def test_forged_claim_payloads_from_a_non_admin_change_nothing(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await _register(sari, ["ya", TKDN_NUMBER])
    vendor = await _vendor(app)
    for payload in (actions.encode("claims", "ok", vendor.id, "tkdn"), actions.encode("claims", "v", vendor.id)):
        await sari.press_payload(payload)
        assert sari.text == t("error.not_allowed")
    await sari.say("periksa klaim")
    assert sari.text == t("error.not_allowed")
    async with app.sessions() as session:
        assert await session.scalar(select(VendorClaim.id)) is None
        assert not (await session.get_one(Vendor, vendor.id)).verified
        denied = await session.scalar(select(AuditLog.id).where(AuditLog.action == "permission.denied"))
        assert denied is not None


async def test_a_vendor_without_opd_access_cannot_read_restricted_phone_numbers(app: App) -> None:
    sari = await onboard(app.dispatcher, "sari")
    await _register(sari, ["tidak"], visibility="vendor.visibility_opd")
    await add_plain_product(sari)
    dedi = await onboard(app.dispatcher, "dedi")  # another vendor
    await dedi.say("keripik pisang original")
    await dedi.press("1. ")
    assert dedi.said("find.seller_phone_hidden") and "0812-3456-7890" not in dedi.text
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))  # OPD, but not verified yet
    await fill_opd_profile(rina)
    await rina.say("keripik pisang original")
    await rina.press("1. ")
    assert rina.said("find.seller_phone_hidden") and "0812-3456-7890" not in rina.text


async def _catalog(session: AsyncSession, ref: str, percent: str, name: str = "Nasi Kotak Ayam Bakar") -> Vendor:
    vendor = Vendor(vendor_ref=ref, business_name=f"Dapur {ref}", kecamatan="Metro Pusat")
    session.add(vendor)
    await session.flush()
    product = Product(product_ref=ref, vendor_id=vendor.id, name=name, category="makanan-minuman")
    product.tkdn_percent = Decimal(percent)
    session.add(product)
    await reindex_product(session, product)
    return vendor


async def test_ranking_boosts_only_checked_claims(sessions: object) -> None:
    async with sessions() as session:  # type: ignore[operator]
        await _catalog(session, "UNCHECKED60", "60")
        checked = await _catalog(session, "CHECKED30", "30")
        await claims.import_checks(session, checked)
        await session.commit()
        result = await search(session, "nasi kotak", log=False, limit=5)
    assert [h.product_ref for h in result.results] == ["CHECKED30", "UNCHECKED60"]
    first, second = result.results
    assert first.badges.percent_checked and not second.badges.percent_checked


async def test_a_search_row_reads_each_checked_claim_for_its_current_value(sessions: object) -> None:
    """The four checks come back as one mask per row: each must land on its own badge, and a claim edited
    after its check (another halal number) reads as unchecked while the others stay checked."""
    async with sessions() as session:  # type: ignore[operator]
        vendor = await _catalog(session, "ALL4", "45")
        vendor.tkdn_certified, vendor.tkdn_number = True, "TKDN-123"
        vendor.ekatalog, vendor.ekatalog_url = True, "https://e-katalog.lkpp.go.id/x"
        vendor.halal, vendor.halal_number = True, "ID123"
        await claims.import_checks(session, vendor)
        await session.commit()
        (hit,) = (await search(session, "nasi kotak", log=False)).results
        assert (hit.badges.tkdn_checked, hit.badges.percent_checked) == (True, True)
        assert (hit.badges.ekatalog_checked, hit.badges.halal_checked) == (True, True)
        vendor.halal_number = "ID999"
        await session.commit()
        (hit,) = (await search(session, "nasi kotak", log=False)).results
    assert (hit.badges.tkdn_checked, hit.badges.percent_checked, hit.badges.ekatalog_checked) == (True, True, True)
    assert not hit.badges.halal_checked


async def test_import_sets_checked_only_from_an_admin_file(app: App, tmp_path: Path) -> None:
    vendor_row = ["V-9", "Dapur Sehat", "", "", "Metro Pusat", "", "1234567890123", "ya", "ya", "tidak", ""]
    vendors = write_csv(tmp_path / "vendors.csv", [*VENDOR_COLUMNS, "checked"], [[*vendor_row, "ya"]])
    products = write_csv(tmp_path / "products.csv", PRODUCT_COLUMNS, [["P-9", "V-9", "Nasi Box", "", "", "", "", ""]])

    report = await import_catalog(app.sessions, vendors, products)
    assert report.ok
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor).where(Vendor.vendor_ref == "V-9"))
        assert vendor is not None and not vendor.verified
        assert {c.status for c in await claims.claims_of(session, vendor)} == {claims.UNCHECKED}

    report = await import_catalog(app.sessions, vendors, products, admin=True)
    assert report.ok
    async with app.sessions() as session:
        vendor = await session.scalar(select(Vendor).where(Vendor.vendor_ref == "V-9"))
        assert vendor is not None and vendor.verified
        found = {c.kind: c.status for c in await claims.claims_of(session, vendor)}
    assert found == {"nib": claims.APPROVED, "ekatalog": claims.APPROVED, "tkdn": claims.APPROVED}


async def test_claims_service_refuses_non_admins(sessions: object) -> None:
    async with sessions() as session:  # type: ignore[operator]
        vendor = await _catalog(session, "V1", "40")
        nobody = User()
        session.add(nobody)
        await session.flush()
        for call in (
            claims.pending(session, nobody),
            claims.vendor_claims(session, nobody, vendor.id),
            claims.check(session, nobody, vendor.id, "tkdn_percent", approve=True),
        ):
            try:
                await call
            except Exception as err:
                assert getattr(err, "key", None) == "error.not_allowed"
            else:
                raise AssertionError("a non-admin was let through")
