"""OPD staff: the profile they give, invite codes, the admins' verification queue, and admin roles."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.channels.console import Notices
from bot.core import actions
from bot.db import session_factory
from bot.services import invites, opd
from models import AuditLog, Identity, OpdInvite, OutboxMessage, User, utcnow
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.support import OPD_ANSWERS, USER, Chat, fill_opd_profile, make_settings, onboard, phone, running, t


async def _user(app: App, external_id: str) -> User:
    async with app.sessions() as session:
        user = await session.scalar(select(User).join(Identity).where(Identity.external_id == external_id))
        assert user is not None
        return user


async def _notices(app: App, user_id: int) -> list[dict[str, object]]:
    """The notices queued for one user, as {key, params}."""
    async with app.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.payload)
            .join(Identity, Identity.id == OutboxMessage.identity_id)
            .where(Identity.user_id == user_id, OutboxMessage.kind == "notice")
            .order_by(OutboxMessage.id)
        )
        return [json.loads(payload)["notice"] for payload in rows]


async def _count(app: App, model: type, *where: object) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _admin(app: App) -> Chat:
    return await onboard(app.dispatcher, "admin", t("start.role_buyer"))


# ---- 1. the OPD profile -------------------------------------------------------------------------------------


async def test_new_opd_staff_are_asked_for_their_profile_which_waits_for_an_admin(app: App) -> None:
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    assert rina.said("opd.profile_invite") and t("opd.btn_fill_profile") in rina.labels()
    await rina.press(t("opd.btn_fill_profile"))
    assert rina.said("opd.intro") and rina.said("opd.ask_full_name")
    await rina.say("Rina Marlina")
    assert rina.said("opd.ask_agency") and "Dinas Kesehatan" in rina.labels()
    await rina.press("Dinas Kesehatan")
    await rina.say("Pejabat Pengadaan")
    await rina.say("1985031220100120")  # 16 digits: not an NIP
    assert rina.said("opd.nip_invalid")
    await rina.say("19850312 201001 2 002")
    assert rina.said("opd.ask_phone")
    await rina.contact("+6281311112222")
    assert rina.said("form.summary_title") and "198503122010012002" in rina.text and "Dinas Kesehatan" in rina.text
    await rina.press(t("form.btn_save"))
    assert rina.said("opd.saved_pending")

    user = await _user(app, "rina")
    assert (user.full_name, user.opd_name, user.job_title, user.nip, user.phone) == (
        "Rina Marlina",
        "Dinas Kesehatan",
        "Pejabat Pengadaan",
        "198503122010012002",
        "+6281311112222",
    )
    assert user.opd_status == opd.PENDING and not user.opd_verified


async def test_a_typed_agency_missing_from_the_list_is_kept_as_typed(app: App) -> None:
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await fill_opd_profile(rina, ["Rina Marlina", "UPTD Puskesmas Ganjar Agung", "Staf", "lewati", "0813-1111-2222"])
    user = await _user(app, "rina")
    assert user.opd_name == "UPTD Puskesmas Ganjar Agung" and user.nip is None


async def test_only_opd_staff_have_an_opd_profile(app: App) -> None:
    budi = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    await budi.say("profil opd")
    assert budi.said("opd.not_opd")
    assert (await _user(app, "budi")).full_name is None


# ---- 3. the verification queue ------------------------------------------------------------------------------


async def test_admin_sees_what_opd_staff_claimed_and_approval_tells_them(app: App) -> None:
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await fill_opd_profile(rina)
    admin = await _admin(app)
    await admin.say("verifikasi")
    for shown in ("Rina Marlina", "Dinas Pendidikan dan Kebudayaan", "Pejabat Pengadaan", "198503122010012002"):
        assert shown in admin.text
    await admin.press(t("verify.btn_approve", n=1))
    assert admin.said("verify.approved", name="Rina Marlina")

    user = await _user(app, "rina")
    assert user.opd_verified and user.opd_status == opd.APPROVED
    notices = await _notices(app, user.id)
    assert [n["key"] for n in notices] == ["verify.notice_approved"]
    assert notices[0]["params"] == {"agency": "Dinas Pendidikan dan Kebudayaan"}
    # The console channel shows it to Rina, translated in her language when it is taken.
    shown = await Notices(app.dispatcher, "rina").take()
    assert [r.text for r in shown] == [t("verify.notice_approved", agency="Dinas Pendidikan dan Kebudayaan")]
    assert await _count(app, AuditLog, AuditLog.action == "opd.verify", AuditLog.subject == f"user:{user.id}") == 1


async def test_rejection_and_revocation_carry_a_reason_to_the_person(app: App) -> None:
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await fill_opd_profile(rina)
    admin = await _admin(app)
    await admin.say("verifikasi")
    await admin.press(t("verify.btn_reject", n=1))
    assert admin.said("verify.ask_reason")
    await admin.say("NIP tidak cocok dengan data BKPSDM")
    assert admin.said("verify.rejected", name="Rina Marlina") and admin.said("admin.none_pending")
    user = await _user(app, "rina")
    assert user.opd_status == opd.REJECTED and not user.opd_verified
    assert (await _notices(app, user.id))[-1] == {
        "key": "verify.notice_rejected",
        "text": None,
        "params": {"reason": "NIP tidak cocok dengan data BKPSDM"},
        "choices": [],
        "photo": None,
        "footer": None,
    }

    await fill_opd_profile(rina)  # corrected: back in the queue
    await admin.say("verifikasi")
    await admin.press(t("verify.btn_approve", n=1))
    await admin.say("opd terverifikasi")
    assert "Rina Marlina" in admin.text
    await admin.press(t("verify.btn_revoke", n=1))
    await admin.say("Sudah pindah tugas")
    assert admin.said("verify.revoked", name="Rina Marlina")
    user = await _user(app, "rina")
    assert user.opd_status == opd.REVOKED and not user.opd_verified
    assert [n["key"] for n in await _notices(app, user.id)] == [
        "verify.notice_rejected",
        "verify.notice_approved",
        "verify.notice_revoked",
    ]


async def test_cancelling_the_reason_changes_nothing(app: App) -> None:
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await fill_opd_profile(rina)
    admin = await _admin(app)
    await admin.say("verifikasi")
    await admin.press(t("verify.btn_reject", n=1))
    await admin.say("batal")
    assert admin.said("verify.reason_cancelled")
    assert (await _user(app, "rina")).opd_status == opd.PENDING


async def test_the_queue_pages_past_ten(app: App) -> None:
    for n in range(12):
        chat = await onboard(app.dispatcher, f"opd{n:02d}", t("start.role_opd"))
        await fill_opd_profile(chat, [f"Staf Nomor {n:02d}", "Dinas Sosial", "Staf", "lewati", "0813-1111-2222"])
    admin = await _admin(app)
    await admin.say("verifikasi")
    assert admin.said("verify.opd_title", first=1, last=10, total=12)
    assert "Staf Nomor 09" in admin.text and "Staf Nomor 10" not in admin.text
    await admin.press(t("verify.btn_next"))
    assert admin.said("verify.opd_title", first=11, last=12, total=12)
    await admin.press(t("verify.btn_approve", n=12))
    assert admin.said("verify.approved", name="Staf Nomor 11")
    assert (await _user(app, "opd11")).opd_verified and not (await _user(app, "opd10")).opd_verified


async def test_who_refused_consent_or_deleted_their_data_leaves_the_queue(app: App) -> None:
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await fill_opd_profile(rina)
    dewi = await onboard(app.dispatcher, "dewi", t("start.role_opd"))
    await fill_opd_profile(dewi, ["Dewi Lestari", "Dinas Sosial", "Staf", "lewati", "0813-1111-3333"])
    admin = await _admin(app)
    await admin.say("verifikasi")
    assert admin.said("verify.opd_title", first=1, last=2, total=2)

    await rina.say("hapus data saya")
    await rina.press(t("data.btn_delete_yes"))
    user = await _user(app, "rina")
    assert user.full_name is None and user.nip is None and user.opd_status is None
    async with app.sessions() as session, session.begin():  # Dewi withdraws her consent
        await session.execute(update(User).where(User.full_name == "Dewi Lestari").values(consented_at=None))
    await admin.say("verifikasi")
    assert admin.said("admin.none_pending")
    dewi_id = (await _user(app, "dewi")).id
    await admin.press_payload(actions.encode("admin", "ok", dewi_id))  # an old button
    assert admin.said("verify.not_pending") and not (await _user(app, "dewi")).opd_verified


async def test_non_admin_admin_commands_are_refused_and_change_nothing(app: App) -> None:
    rina = await onboard(app.dispatcher, "rina", t("start.role_opd"))
    await fill_opd_profile(rina)
    sari = await onboard(app.dispatcher, "sari")
    rina_id = (await _user(app, "rina")).id
    for typed in ("verifikasi", "opd terverifikasi", "undang opd Dinas Sosial", "undangan", "daftar admin"):
        await sari.say(typed)
        assert sari.text == t("error.not_allowed"), typed
    await sari.say(f"jadikan admin {(await _user(app, 'sari')).id}")
    assert sari.text == t("error.not_allowed")
    for payload in (actions.encode("admin", "ok", rina_id), actions.encode("admin", "no", rina_id)):
        await sari.press_payload(payload)
        assert sari.text == t("error.not_allowed")
    await sari.say("tidak valid")  # no reason prompt was opened: this is a search, not a rejection reason
    user = await _user(app, "rina")
    assert user.opd_status == opd.PENDING and not user.opd_verified
    assert not (await _user(app, "sari")).is_admin
    assert await _count(app, OpdInvite) == 0
    assert await _count(app, OutboxMessage, OutboxMessage.kind == "notice") == 0
    assert await _count(app, AuditLog, AuditLog.action == "permission.denied") >= 8


# ---- 2. invite codes ----------------------------------------------------------------------------------------


async def _make_code(app: App, admin: Chat, agency: str = "Dinas Pendidikan") -> str:
    await admin.say(f"undang opd {agency}")
    async with app.sessions() as session:
        invite = await session.scalar(select(OpdInvite).order_by(OpdInvite.id.desc()))
        assert invite is not None
    assert admin.said("invite.created", line=admin.text.split("\n")[1], code=invite.code)
    return invite.code


async def test_an_invite_code_verifies_a_new_user_at_once_through_the_deep_link(app: App) -> None:
    app.settings.telegram.bot_username = "BanggaBeliBot"
    admin = await _admin(app)
    code = await _make_code(app, admin)
    assert admin.said("invite.link", link=f"https://t.me/BanggaBeliBot?start={code}")
    assert "Dinas Pendidikan dan Kebudayaan" in admin.text

    rina = Chat(app.dispatcher, "rina")
    await rina.say(f"/start {code}")
    await rina.press(t("language.name_id"))
    assert rina.said("start.consent_notice_opd")  # the code says the role: no role question
    await rina.press(t("start.btn_agree"))
    assert rina.said("invite.redeemed", agency="Dinas Pendidikan dan Kebudayaan") and rina.said("opd.ask_full_name")
    user = await _user(app, "rina")
    assert user.role == "opd" and user.opd_verified and user.opd_name == "Dinas Pendidikan dan Kebudayaan"
    await rina.say(OPD_ANSWERS[0])
    assert rina.said("opd.ask_agency")
    await rina.press("Dinas Pendidikan dan Kebudayaan")
    for answer in OPD_ANSWERS[2:]:
        await rina.say(answer)
    await rina.press(t("form.btn_save"))
    assert rina.said("opd.saved_verified", agency="Dinas Pendidikan dan Kebudayaan")
    assert (await _user(app, "rina")).opd_verified
    await admin.say("verifikasi")
    assert admin.said("admin.none_pending")


async def test_a_typed_code_works_once_and_a_reused_one_is_refused(app: App) -> None:
    admin = await _admin(app)
    code = await _make_code(app, admin)
    budi = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    await budi.say(f"kode {code.lower()}")
    assert budi.said("invite.redeemed", agency="Dinas Pendidikan dan Kebudayaan")
    assert (await _user(app, "budi")).opd_verified

    dewi = await onboard(app.dispatcher, "dewi", t("start.role_buyer"))
    await dewi.say(f"kode {code}")
    assert dewi.text == t("invite.invalid")
    user = await _user(app, "dewi")
    assert user.role == "buyer" and not user.opd_verified and user.opd_name is None
    async with app.sessions() as session:
        invite = await session.scalar(select(OpdInvite).where(OpdInvite.code == code))
        assert invite is not None and invite.uses == 1


async def test_expired_and_revoked_codes_are_refused_and_change_nothing(app: App) -> None:
    admin = await _admin(app)
    expired = await _make_code(app, admin)
    revoked = await _make_code(app, admin, "Dinas Sosial")
    async with app.sessions() as session, session.begin():
        await session.execute(
            update(OpdInvite).where(OpdInvite.code == expired).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    await admin.say("undangan")
    assert revoked in admin.text and expired not in admin.text
    await admin.press(t("invite.btn_revoke", n=1))
    assert admin.said("invite.revoked", code=revoked) and admin.said("invite.none")

    budi = await onboard(app.dispatcher, "budi", t("start.role_buyer"))
    for code in (expired, revoked, "OPD-ZZZZZZZZ"):
        await budi.say(f"kode {code}")
        assert budi.text == t("invite.invalid")
    user = await _user(app, "budi")
    assert user.role == "buyer" and not user.opd_verified
    async with app.sessions() as session:
        assert list(await session.scalars(select(OpdInvite.uses))) == [0, 0]
    assert await _count(app, AuditLog, AuditLog.action == "invite.revoke") == 1


async def test_invite_service_limits(app: App) -> None:
    async with app.sessions() as session, session.begin():
        admin = User(is_admin=True)
        person = User()
        session.add_all([admin, person])
        await session.flush()
        invite = await invites.create(session, admin, "Dinas Sosial", days=1, uses=2)
        await invites.redeem(session, person, invite.code.lower())
        later = utcnow() + timedelta(days=2)
        other = User()
        session.add(other)
        await session.flush()
        try:
            await invites.redeem(session, other, invite.code, now=later)
        except Exception as err:
            assert getattr(err, "key", None) == "invite.invalid"
        else:
            raise AssertionError("an expired code was accepted")
        assert not other.opd_verified and invite.uses == 1
    assert invites.find_code("/start OPD-ab2cd3ef") == "OPD-AB2CD3EF" and invites.find_code("OPD-0000") is None
    assert invites.deep_link("", "OPD-AB2CD3EF") is None


# ---- 5. roles -----------------------------------------------------------------------------------------------


async def test_admins_promote_and_demote_and_a_removed_admin_is_refused(engine: AsyncEngine, database_url: str) -> None:
    first = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    try:
        admin = await onboard(first.dispatcher, "admin", t("start.role_buyer"))
        budi = await onboard(first.dispatcher, "budi", t("start.role_buyer"))
        await admin.say("menu")
        for label in ("menu.admin_verify", "menu.invites", "menu.admins", "menu.opd_approved"):
            assert t(label) in admin.labels()
        budi_id = (await _user(first, "budi")).id
        await admin.say(f"jadikan admin {budi_id}")
        assert admin.said("roles.promoted", user=t("roles.user", id=budi_id, name="Budi"))
        await budi.say("verifikasi")
        assert budi.said("admin.none_pending")
        admin_id = (await _user(first, "admin")).id
        await budi.say(f"cabut admin {admin_id}")  # admin comes from ADMIN_IDS
        assert budi.text == t("roles.config_admin")
        await budi.say(f"cabut admin {budi_id}")
        assert budi.text == t("roles.not_yourself")
    finally:
        await first.close()

    second = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    try:  # a promoted admin survives a restart
        assert (await _user(second, "budi")).is_admin
        admin = Chat(second.dispatcher, "admin")
        await admin.say("daftar admin")
        await admin.press(t("roles.btn_demote", n=2))
        assert admin.said("roles.demoted", user=t("roles.user", id=budi_id, name="Budi"))
        budi = Chat(second.dispatcher, "budi")
        await budi.say("undangan")
        assert budi.text == t("error.not_allowed")
    finally:
        await second.close()

    third = await build_app(make_settings(database_url, admin_ids="console:budi"), migrate=False)
    try:  # `admin` was removed from ADMIN_IDS: refused, and nothing changes
        former = Chat(third.dispatcher, "admin")
        await former.say("undang opd Dinas Sosial")
        assert former.text == t("error.not_allowed")
        await former.say(f"jadikan admin {admin_id}")
        assert former.text == t("error.not_allowed")
        assert not (await _user(third, "admin")).is_admin
    finally:
        await third.close()
    async with session_factory(engine)() as session:
        actions_done = {(row.action, row.subject) for row in await session.scalars(select(AuditLog))}
        assert await session.scalar(select(func.count()).select_from(OpdInvite)) == 0
    assert ("admin.promote", f"user:{budi_id}") in actions_done
    assert ("admin.demote", f"user:{budi_id}") in actions_done


# ---- on Telegram: the deep link, and the outcome delivered by the outbox worker ------------------------------


async def test_telegram_deep_link_verifies_and_a_revocation_reaches_the_phone(app: App, tg: FakeTelegramAPI) -> None:
    app.settings.telegram.bot_username = "BanggaBeliBot"
    admin = await _admin(app)
    code = await _make_code(app, admin)
    async with running(app, tg) as server:
        user = phone(server, tg)
        await user.send(f"/start {code}")
        await user.tap("Bahasa Indonesia")
        texts = await user.tap(t("start.btn_agree"))
        # Replies are folded into one message where they can be (Telegram: one message a second per chat).
        assert any(t("invite.redeemed", agency="Dinas Pendidikan dan Kebudayaan") in text for text in texts)
        telegram_user = await _user(app, str(USER))
        assert telegram_user.opd_verified and telegram_user.role == "opd"

        await admin.say("opd terverifikasi")
        await admin.press(t("verify.btn_revoke", n=1))
        await admin.say("Sudah pindah tugas")
        assert admin.said("verify.revoked", name=telegram_user.display_name or "")
        expected = t("verify.notice_revoked", reason="Sudah pindah tugas")
        for _ in range(200):  # the delivery worker polls the outbox; wait until it has sent the notice
            if expected in tg.texts_to(USER):
                break
            await asyncio.sleep(0.05)
        assert expected in tg.texts_to(USER)
    assert not (await _user(app, str(USER))).opd_verified
