"""Accounts: ADMIN_IDS is the whole truth at every start, first contact is race-free, phones are checked."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.core import actions
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Channel, Inbound, Reply
from bot.db import create_engine, session_factory
from bot.services import accounts
from handlers import build_registry
from models import AuditLog, Identity, User
from tests.support import Chat, make_settings, onboard

APOLOGY = Translator("id")("error.internal")


async def _user_of(engine: AsyncEngine, external_id: str) -> User:
    async with session_factory(engine)() as session:
        user = await session.scalar(select(User).join(Identity).where(Identity.external_id == external_id))
        assert user is not None
        return user


async def test_an_id_removed_from_admin_ids_loses_admin_rights_at_the_next_start(
    engine: AsyncEngine, database_url: str
) -> None:
    first = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    try:
        await onboard(first.dispatcher, "admin", "Lihat-lihat")
        await onboard(first.dispatcher, "budi", "Lihat-lihat")
    finally:
        await first.close()
    admin, budi = await _user_of(engine, "admin"), await _user_of(engine, "budi")
    assert admin.is_admin and not budi.is_admin

    second = await build_app(make_settings(database_url, admin_ids="console:budi"), migrate=False)
    try:
        assert not (await _user_of(engine, "admin")).is_admin
        assert (await _user_of(engine, "budi")).is_admin  # added to ADMIN_IDS after first contact
        former = Chat(second.dispatcher, "admin")
        await former.press_payload(actions.encode("admin", "ok", budi.id))
        assert former.text == Translator("id")("error.not_allowed")
    finally:
        await second.close()
    async with session_factory(engine)() as session:
        rows = {(row.action, row.subject, row.actor_user_id) for row in await session.scalars(select(AuditLog))}
    assert ("admin.revoke", f"user:{admin.id}", None) in rows
    assert ("admin.bootstrap", f"user:{budi.id}", None) in rows

    third = await build_app(make_settings(database_url, admin_ids=""), migrate=False)  # ADMIN_IDS emptied
    await third.close()
    assert not (await _user_of(engine, "budi")).is_admin


async def test_start_up_sync_changes_nothing_when_admin_ids_did_not_change(
    engine: AsyncEngine, database_url: str
) -> None:
    app = await build_app(make_settings(database_url, admin_ids="console:admin"), migrate=False)
    try:
        await onboard(app.dispatcher, "admin", "Lihat-lihat")
        async with app.sessions() as session, session.begin():
            assert await accounts.sync_admins(session, {("console", "admin")}) == (0, 0)
    finally:
        await app.close()
    assert (await _user_of(engine, "admin")).is_admin


def _first_message(user: str, n: int) -> Inbound:
    return Inbound(
        Channel.TELEGRAM, user, text="halo", update_id=f"{user}-{n}", display_name="Warga Baru", language_hint="id"
    )


async def test_first_two_messages_of_a_new_user_in_two_processes_at_once(
    engine: AsyncEngine, database_url: str
) -> None:
    """Two engines are two processes; on PostgreSQL both hit the unique key on identities at the same time."""
    settings = make_settings(database_url)
    engines = [create_engine(database_url) for _ in range(2)]
    dispatchers = [Dispatcher(session_factory(e), settings, build_registry()) for e in engines]
    users = [f"baru-{n}" for n in range(4)]
    try:
        for user in users:
            answers: list[list[Reply]] = await asyncio.gather(
                *(d.handle(_first_message(user, n)) for n, d in enumerate(dispatchers))
            )
            assert all(replies for replies in answers), answers
            assert all(reply.text != APOLOGY for replies in answers for reply in replies)
    finally:
        for e in engines:
            await e.dispose()
    async with session_factory(engine)() as session:
        identities = await session.scalar(select(func.count()).select_from(Identity))
        people = await session.scalar(select(func.count()).select_from(User))
    assert identities == len(users)
    assert people == len(users)  # the process that lost the race left no orphan user behind


async def test_a_garbage_phone_from_a_channel_is_dropped_and_later_messages_work(app: App) -> None:
    chat = Chat(app.dispatcher, "wa-1")
    await chat.say("halo", phone="+62 812 " + "9" * 32)  # 40 characters, far too long for a number
    assert chat.last and APOLOGY not in chat.text
    await chat.press("Bahasa Indonesia")
    assert chat.last and APOLOGY not in chat.text
    user = await _user_of(app.engine, "wa-1")
    assert user.phone is None


async def test_a_valid_phone_from_a_channel_is_stored_normalised(app: App) -> None:
    chat = Chat(app.dispatcher, "wa-2")
    await chat.say("halo", phone="0812-3456-7890")
    user = await _user_of(app.engine, "wa-2")
    assert user.phone == "+6281234567890"


def test_normalise_phone_keeps_only_valid_numbers() -> None:
    assert accounts.normalise_phone("+62 812-3456-7890") == "+6281234567890"
    for bad in (None, "", "x" * 40, "12", "+62 812 " + "9" * 32, "\x00\ud800"):
        assert accounts.normalise_phone(bad) is None
