"""examples/vendor_session.txt replayed over the WhatsApp webhook stores the same catalog as on the console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.channels.console import to_inbound
from models import Identity, Product, Vendor
from tests.fakes.graph_api import FakeGraphAPI
from tests.support import WhatsAppUser, running_whatsapp

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "vendor_session.txt"
_SKIP = {"id", "vendor_ref", "user_id", "product_ref", "vendor_id", "photo_ref", "photo_channel", "search_text"}
_TIMES = ("_at",)


def _row(obj: Any) -> dict[str, Any]:
    return {
        c.name: getattr(obj, c.key)
        for c in obj.__table__.columns
        if c.name not in _SKIP and not c.name.endswith(_TIMES)
    }


async def _catalog(sessions: async_sessionmaker[AsyncSession], channel: str) -> dict[str, Any]:
    async with sessions() as session:
        user_id = await session.scalar(select(Identity.user_id).where(Identity.channel == channel))
        vendor = await session.scalar(select(Vendor).where(Vendor.user_id == user_id))
        assert vendor is not None, f"no business registered over {channel}"
        products = list(await session.scalars(select(Product).where(Product.vendor_id == vendor.id)))
    return {
        "vendor": _row(vendor),
        "products": sorted(
            ({**_row(p), "has_photo": p.photo_ref is not None} for p in products), key=lambda p: p["name"]
        ),
    }


async def test_vendor_session_over_whatsapp_matches_the_console(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    lines = [line for line in SCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in lines:  # the console, in-process (as `banggabeli chat --user sari` does)
        await app.dispatcher.handle(to_inbound("sari", line))

    graph.add_media("1234567890123456", b"\xff\xd8\xff\xe0 keripik-cokelat.jpg \xff\xd9")  # the image fixture
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        for line in lines:
            if line.startswith("/foto"):
                sent = await user.send("image")
            else:
                sent = await user.say(line)
            assert sent, f"no answer to {line!r}"
        assert graph.refused == []

    console = await _catalog(sessions, "console")
    whatsapp = await _catalog(sessions, "whatsapp")
    assert len(console["products"]) == 2 and console["products"][0]["has_photo"]
    assert whatsapp == console
    async with sessions() as session:  # the WhatsApp photo is kept by the bot, as the console's ref is
        refs = set(
            await session.scalars(
                select(Product.photo_ref).where(Product.photo_channel == "whatsapp", Product.photo_ref.is_not(None))
            )
        )
    assert len(refs) == 1 and refs.pop().startswith("media:")
