"""Events and broadcasts as people use them in the chat: an admin creates an event and announces it, vendors
answer, the worker delivers once, people opt out, and nobody else can do an admin's part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.app import App
from bot.core.i18n import Translator
from models import AuditLog, Broadcast, Event, OutboxMessage, Rsvp
from tests.support import Chat, Phones, deliver_outbox, onboard, t

NEXT_WEEK = (datetime.now(UTC) + timedelta(days=7)).strftime("%d-%m-%Y") + " 09.00"


async def _count(app: App, model: type, *where: object) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def create_event(admin: Chat, title: str = "FGD Temu Bisnis P3DN", capacity: str = "lewati") -> None:
    await admin.say("buat acara")
    assert admin.said("event_new.intro")
    for answer in (title, NEXT_WEEK, "Aula Pemkot Metro", "lewati"):
        await admin.say(answer)
    await admin.press(t("event.audience_all"))
    await admin.say(capacity)
    await admin.press(t("common.yes"))
    assert admin.said("form.summary_title")
    await admin.press(t("form.btn_save"))


async def test_admin_creates_an_event_and_a_vendor_answers(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await create_event(admin)
    assert "FGD Temu Bisnis P3DN" in admin.text and "WIB" in admin.text
    sari = await onboard(app.dispatcher, "sari")
    await sari.say("acara")
    assert sari.said("event.list_title")
    await sari.press("1. FGD Temu Bisnis P3DN")
    assert sari.said("event.detail_title", title="FGD Temu Bisnis P3DN")
    assert t("event.btn_cancel") not in sari.labels()  # not an admin's page
    await sari.press(t("event.btn_yes"))
    assert sari.said("event.answered_yes", title="FGD Temu Bisnis P3DN")
    assert await _count(app, Rsvp, Rsvp.status == "yes") == 1
    assert await _count(app, OutboxMessage, OutboxMessage.kind == "reminder") == 2


async def test_a_typo_in_the_date_is_explained(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await admin.say("buat acara")
    await admin.say("FGD")
    await admin.say("tanggal dua puluh")
    assert admin.said("parse.datetime.no_date", example="20-12-2026 09.00")
    await admin.say("01-01-2020 09.00")
    assert admin.said("parse.datetime.past", example="20-12-2026 09.00")


async def test_non_admins_cannot_manage_events_or_broadcast(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await create_event(admin)
    async with app.sessions() as session:
        event_id = await session.scalar(select(Event.id))
    budi = await onboard(app.dispatcher, "budi")
    await budi.say("buat acara")
    assert budi.said("event.not_allowed")
    await budi.say("siaran")
    assert budi.said("broadcast.not_allowed")
    for payload in (f"event:cancel:{event_id}", f"event:export:{event_id}", f"broadcast:event:{event_id}"):
        await budi.press_payload(payload)
    async with app.sessions() as session:
        event = await session.get_one(Event, event_id)
        assert event.cancelled_at is None
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0
        denied = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "permission.denied")
        )
    assert denied == 5


async def test_broadcast_preview_counts_then_delivers_once(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    vendors = [await onboard(app.dispatcher, name) for name in ("sari", "budi", "tono")]
    opd = await onboard(app.dispatcher, "opd1", t("start.role_opd"))
    await vendors[2].say("berhenti info")
    assert vendors[2].said("announce.off")
    await admin.say("siaran")
    await admin.say("Besok ada pelatihan TKDN gratis di Aula Dinas, pukul 09.00.")
    await admin.say("lewati")
    await admin.press(t("broadcast.segment_all"))
    await admin.press(t("form.btn_save"))
    assert (
        Translator("id").plural("broadcast.preview", "broadcast.preview_plural", 4, opted_out=1) in admin.text
    )  # admin, sari, budi, opd1; tono opted out
    await admin.press(t("broadcast.btn_send", n=4))
    assert await _count(app, OutboxMessage, OutboxMessage.kind == "broadcast") == 4
    phones = Phones()
    assert await deliver_outbox(app, phones) == 5  # four announcements and the admin's summary
    for user in ("sari", "budi", "opd1"):
        assert phones.texts(user) == ["Besok ada pelatihan TKDN gratis di Aula Dinas, pukul 09.00."]
        assert [c.label for c in phones.inbox[user][0].choices] == [t("broadcast.btn_stop")]
    assert "tono" not in phones.inbox
    assert any(text.startswith("Siaran #1 selesai") for text in phones.texts("admin"))
    assert await deliver_outbox(app, phones) == 0  # nothing is sent twice
    await admin.say("laporan siaran")
    assert admin.said("broadcast.report_title") and "terkirim 4" in admin.text
    del opd


async def test_the_stop_button_under_an_announcement_works(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    sari = await onboard(app.dispatcher, "sari")
    await admin.say("siaran")
    for step in ("Info pameran UMKM", "lewati"):
        await admin.say(step)
    await admin.press(t("broadcast.segment_vendors"))
    await admin.press(t("form.btn_save"))
    await admin.press(t("broadcast.btn_send", n=1))
    phones = Phones()
    await deliver_outbox(app, phones)
    [announcement] = phones.inbox["sari"]
    await sari.press_payload(announcement.choices[0].action)
    assert sari.said("announce.off")
    await sari.press(t("announce.btn_on"))
    assert sari.said("announce.on")


async def test_an_old_send_button_sends_nothing(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await onboard(app.dispatcher, "sari")
    await admin.say("siaran")
    for step in ("Info penting", "lewati"):
        await admin.say(step)
    await admin.press(t("broadcast.segment_all"))
    await admin.press(t("form.btn_save"))
    old_send = next(c.action for r in admin.last for c in r.choices if c.label == t("broadcast.btn_send", n=2))
    await admin.press(t("broadcast.btn_dont_send"))
    assert admin.said("broadcast.not_sent")
    await admin.press_payload(old_send)
    assert admin.said("form.old_button")
    assert await _count(app, Broadcast) == 0 and await _count(app, OutboxMessage) == 0


async def test_announcing_an_event_carries_rsvp_buttons(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    sari = await onboard(app.dispatcher, "sari")
    await create_event(admin, capacity="30")
    await admin.press(t("event.btn_announce"))
    assert admin.said("broadcast.intro_event", title="FGD Temu Bisnis P3DN")
    await admin.press(t("form.btn_save"))
    await admin.press(t("broadcast.btn_send", n=2))
    phones = Phones()
    await deliver_outbox(app, phones)
    [invitation] = phones.inbox["sari"]
    assert "FGD Temu Bisnis P3DN" in invitation.text
    labels = [c.label for c in invitation.choices]
    assert labels == [t("event.btn_yes"), t("event.btn_maybe"), t("event.btn_no"), t("broadcast.btn_stop")]
    await sari.press_payload(invitation.choices[0].action)
    assert sari.said("event.answered_yes", title="FGD Temu Bisnis P3DN")
    assert sari.said("event.detail_seats", left=29, capacity=30)


async def test_admin_moves_exports_and_cancels(app: App) -> None:
    admin = await onboard(app.dispatcher, "admin", t("start.role_buyer"))
    await create_event(admin)
    sari = await onboard(app.dispatcher, "sari")
    await sari.say("acara")
    await sari.press("1. FGD Temu Bisnis P3DN")
    await sari.press(t("event.btn_maybe"))
    await admin.say("acara")
    await admin.press("1. FGD Temu Bisnis P3DN")
    await admin.press(t("event.btn_export"))
    [exported] = [r for r in admin.last if r.attachment is not None]
    sheet = load_workbook(BytesIO(exported.attachment.data)).active  # type: ignore[union-attr]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == t("event.column_name") and rows[1][4] == t("event.btn_maybe") and len(rows) == 2
    await admin.say("acara")
    await admin.press("1. FGD Temu Bisnis P3DN")
    await admin.press(t("event.btn_move"))
    later = (datetime.now(UTC) + timedelta(days=9)).strftime("%d-%m-%Y") + " 13.00"
    await admin.say(later)
    await admin.say("lewati")
    await admin.press(t("form.btn_save"))
    assert "13.00 WIB" in admin.text
    phones = Phones()
    await deliver_outbox(app, phones)
    [moved] = phones.texts("sari")
    assert "13.00 WIB" in moved and "FGD Temu Bisnis P3DN" in moved
    await admin.press(t("event.btn_cancel"))
    assert t("event.btn_cancel_yes") in admin.labels()
    await admin.say("iya")
    assert admin.said("event.cancelled_done", title="FGD Temu Bisnis P3DN")
    await deliver_outbox(app, phones)
    told = phones.texts("sari")
    assert len(told) == 2 and "dibatalkan" in told[1]
    assert await _count(app, OutboxMessage, OutboxMessage.kind == "reminder") == 0
