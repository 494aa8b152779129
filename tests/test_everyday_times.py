"""Times shown to users are in the region's zone, WIB by default (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from models import User
from tests.support import onboard


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
