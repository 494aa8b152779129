"""The whole matching story on the console channel, as issue 11 tells it: an admin creates an OPD invite code,
OPD staff join with it, a vendor registers a product and a TKDN claim, the admin checks the claim, the OPD
searches, sees the phone number and the checked badge, and sends interest; the vendor is notified through the
outbox worker and answers; the OPD sees the answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from models import Lead, OpdInvite, User
from tests.support import OPD_ANSWERS, PROFILE_ANSWERS, Chat, Phones, deliver_outbox, onboard, t

TKDN_NUMBER = "1234/TKDN/2026"
TOMORROW = (datetime.now(UTC) + timedelta(days=2)).strftime("%d-%m-%Y")


async def test_the_whole_matching_story(app: App) -> None:
    # The admin creates an invite code for an agency.
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await admin.say("undang opd Dinas Pendidikan")
    async with app.sessions() as session:
        code = await session.scalar(select(OpdInvite.code))
    assert code is not None and code in admin.text

    # OPD staff join with it: verified at once, then their profile.
    rina = Chat(app.dispatcher, "rina")
    await rina.say(f"/start {code}")
    await rina.press(t("language.name_id"))
    await rina.press(t("start.btn_agree"))
    assert rina.said("invite.redeemed", agency="Dinas Pendidikan dan Kebudayaan")
    for answer in OPD_ANSWERS:
        await rina.say(answer)
    await rina.press(t("form.btn_save"))
    async with app.sessions() as session:
        staff = await session.scalar(select(User).where(User.display_name == "Rina"))
        assert staff is not None and staff.role == "opd" and staff.opd_verified

    # A vendor registers (phone for verified OPD staff only), a TKDN claim and a product with its TKDN %.
    sari = await onboard(app.dispatcher, "sari")
    await sari.say("daftar usaha")
    for answer in [*PROFILE_ANSWERS[:8], "ya", TKDN_NUMBER, *PROFILE_ANSWERS[9:]]:
        await sari.say(answer)
    await sari.press(t("vendor.visibility_opd"))
    await sari.press(t("form.btn_save"))
    await sari.say("tambah produk")
    for step in ("Keripik Pisang Cokelat", "Makanan", "lewati", "15rb", "bungkus", "lewati", "lewati", "45", "lewati"):
        await sari.say(step)
    await sari.press(t("form.btn_save"))
    assert sari.said("product.saved", name="Keripik Pisang Cokelat")

    # The admin checks the claims: the TKDN certificate, e-Katalog and the product's 45%.
    await admin.say("periksa klaim")
    await admin.press(t("claims.btn_open", n=1))
    for n in (1, 2, 3):
        await admin.press(t("claims.btn_approve", n=n))
        assert admin.said("claims.approved")

    # The OPD searches: the checked badge, and the phone number kept for verified OPD staff.
    await rina.say("siapa yang jual keripik pisang cokelat?")
    assert t("find.badge_tkdn_percent", percent="45") in rina.text and t("find.badge_verified") in rina.text
    await rina.press("1. ")
    assert "0812-3456-7890" in rina.text
    # ... and sends interest.
    await rina.press(t("leads.btn_interest"))
    for answer in ("150 bungkus", TOMORROW, "Untuk snack rapat koordinasi"):
        await rina.say(answer)
    await rina.press(t("form.btn_save"))
    async with app.sessions() as session:
        lead_id = await session.scalar(select(Lead.id))
    assert rina.said("leads.sent", product="Keripik Pisang Cokelat", id=lead_id)

    # The vendor is notified through the outbox worker and answers "Bisa".
    phones = Phones()
    assert await deliver_outbox(app, phones) >= 1
    [notice] = [r for r in phones.inbox["sari"] if "150" in r.text]
    assert "Keripik Pisang Cokelat" in notice.text
    await sari.press_payload(notice.choices[0].action)
    assert sari.said("leads.answered_yes", id=lead_id)

    # The OPD sees the answer.
    assert await deliver_outbox(app, phones) >= 1
    assert any("Keripik Pisang Cokelat" in text for text in phones.texts("rina"))
    await rina.say("permintaan saya")
    assert t("leads.status_answered") in rina.text
