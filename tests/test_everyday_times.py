"""Times shown to users are in the region's zone, WIB by default (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from models import User
from tests.support import make_settings, onboard


async def test_consent_time_in_data_saya_is_wib(app: App) -> None:
    chat = await onboard(app.dispatcher, "sari")
    async with app.sessions() as session, session.begin():
        user = await session.scalar(select(User))
        assert user is not None
        user.consented_at = datetime(2026, 12, 1, 10, 52, tzinfo=UTC)
    await chat.say("data saya")
    assert "17.52" in chat.text or "17:52" in chat.text
    assert "WIB" in chat.text and "UTC" not in chat.text
    assert chat.said("data.title")


async def test_the_zone_is_configurable(engine: AsyncEngine, database_url: str) -> None:
    settings = make_settings(database_url, timezone="Asia/Jayapura", timezone_label="WIT")
    application = await build_app(settings, migrate=False)
    try:
        chat = await onboard(application.dispatcher, "sari")
        async with application.sessions() as session, session.begin():
            user = await session.scalar(select(User))
            assert user is not None
            user.consented_at = datetime(2026, 12, 1, 10, 52, tzinfo=UTC)
        await chat.say("data saya")
        assert ("19.52" in chat.text or "19:52" in chat.text) and "WIT" in chat.text and "WIB" not in chat.text
    finally:
        await application.close()
