"""Times shown to users are in the region's zone, WIB by default (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from models import User
from tests.support import make_settings, onboard


async def _data_saya_after_consent_at_10_52_utc(application: App) -> str:
    """What `data saya` shows to a user who gave consent on 01-12-2026 at 10:52 UTC."""
    chat = await onboard(application.dispatcher, "sari")
    async with application.sessions() as session, session.begin():
        user = await session.scalar(select(User))
        assert user is not None
        user.consented_at = datetime(2026, 12, 1, 10, 52, tzinfo=UTC)
    await chat.say("data saya")
    assert chat.said("data.title")
    return chat.text


async def test_consent_time_in_data_saya_is_wib(app: App) -> None:
    text = await _data_saya_after_consent_at_10_52_utc(app)
    assert "17.52" in text or "17:52" in text
    assert "WIB" in text and "UTC" not in text


async def test_the_zone_is_configurable(engine: AsyncEngine, database_url: str) -> None:
    settings = make_settings(database_url, timezone="Asia/Jayapura", timezone_label="WIT")
    application = await build_app(settings, migrate=False)
    try:
        text = await _data_saya_after_consent_at_10_52_utc(application)
    finally:
        await application.close()
    assert ("19.52" in text or "19:52" in text) and "WIT" in text and "WIB" not in text
