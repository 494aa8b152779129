"""The WhatsApp webhook on the running aiohttp app: handshake, signatures, size limit, storage, duplicates,
and every real-shaped payload kind (tests/fixtures/whatsapp/) posted signed and answered."""

from __future__ import annotations

import json

from aiohttp import ClientSession
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from models import Identity, InboxUpdate, User
from tests.fakes.graph_api import VERIFY_TOKEN, FakeGraphAPI, fixture, message, sign
from tests.support import WhatsAppUser, running_whatsapp, t


async def _inbox_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


async def test_verification_handshake_right_and_wrong(app: App, graph: FakeGraphAPI) -> None:
    async with running_whatsapp(app, graph) as server, ClientSession() as http:
        url = f"http://127.0.0.1:{server.port}/whatsapp/webhook"
        good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
        async with http.get(url, params=good) as response:
            assert response.status == 200 and await response.text() == "1158201444"
        async with http.get(url, params={**good, "hub.verify_token": "guess"}) as response:
            assert response.status == 403 and "1158201444" not in await response.text()
        async with http.get(url, params={**good, "hub.mode": "unsubscribe"}) as response:
            assert response.status == 403
        async with http.get(f"http://127.0.0.1:{server.port}/healthz") as health:
            assert (await health.json())["channels"] == ["whatsapp"]


async def test_unsigned_forged_and_oversized_deliveries_are_refused_and_nothing_is_processed(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with running_whatsapp(app, graph, max_body_bytes=20_000) as server:
        user = WhatsAppUser(server, graph)
        document = message("text", text="halo")
        body = json.dumps(document).encode()
        assert await user.post(document, signature=None) == 401
        assert await user.post(document, signature="sha256=" + "0" * 64) == 403
        assert await user.post(document, signature=sign(body, "another-app-secret")) == 403
        assert await user.post(document, signature=sign(body)[:-1]) == 403
        assert await user.post(document, signature=sign(body + b" ")) == 403  # signed for another body
        big = json.dumps({**document, "padding": "x" * 30_000}).encode()
        assert await user.post({}, body=big, signature=sign(big)) == 413
        await user.settle()
        assert await _inbox_count(sessions) == 0
        assert graph.sent == []
        assert await user.post({}, body=b"not json", signature=sign(b"not json")) == 400


async def test_a_text_is_stored_answered_once_and_a_repeated_delivery_is_dropped(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        document = message("text", text="halo")
        sent = await user._after(document)
        assert sent[0].text == t("start.greeting")
        assert sent[1].kind == "button" and sent[1].text == t("start.ask_language")
        assert await user.post(document) == 200  # Meta delivers it again
        await user.settle()
        assert len(graph.to(user.address)) == 2
        assert await _inbox_count(sessions) == 1
        assert server.app.intake.duplicates == 1
    async with sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.channel == "whatsapp"))
        assert identity is not None and identity.external_id == "ID.1234567890123456"
        person = await session.get_one(User, identity.user_id)
        assert person.phone == "+6281234567890" and person.display_name == "Sari Wulandari"


async def test_another_phone_number_id_is_ignored(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        assert await user.post(message("text", text="halo", phone_number_id="999999999999999")) == 200
        await user.settle()
        assert await _inbox_count(sessions) == 0 and graph.sent == []


async def _onboard(user: WhatsAppUser) -> None:
    await user.say("halo")
    await user.press("Bahasa Indonesia")
    await user.press("Pelaku usaha")
    answered = await user.press(t("start.btn_agree"))
    assert any(t("start.consent_thanks") in s.text for s in answered)


async def test_buttons_lists_images_locations_contacts_and_unsupported_kinds(app: App, graph: FakeGraphAPI) -> None:
    graph.add_media("1234567890123456", b"\xff\xd8\xff\xe0 a jpeg \xff\xd9")  # the image fixture's media id
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        await _onboard(user)  # button replies all the way

        sticker = await user.send("sticker")
        assert sticker[0].text == t("fallback.media")  # "please type", in the user's language
        image = await user.send("image")
        assert image[0].text == t("fallback.photo")
        contact = await user.send("contacts")  # the card of the sender's own number
        assert contact[0].text == t("fallback.own_contact")
        card = message("contacts")
        card["entry"][0]["changes"][0]["value"]["messages"][0]["contacts"][0]["phones"] = [
            {"phone": "+62 857-1111-2222"}
        ]
        contact = await user._after(card)  # someone else's card
        assert contact[0].text == t("fallback.contact")

        await user.say("daftar usaha")
        await user.say("Keripik Pisang Bu Sari")
        await user.say("Sari Wulandari")
        asked = await user.say("0812-3456-7890")
        assert asked[-1].kind == "list"  # the kecamatan question: more than 3 choices
        after_list = await user.press("Metro Utara")  # a list reply
        assert t("vendor.ask_address") in after_list[-1].text
        after_location = await user.send("location")  # a shared location answers the address question
        assert t("vendor.ask_nib") in after_location[-1].text
        assert t("fallback.unknown") not in after_location[-1].text
        cancelled = await user.say("batal")
        assert cancelled


async def test_a_payload_without_wa_id_is_keyed_on_the_user_id_and_answered_by_recipient(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph, user_id="ID.9876543210987654", wa_id=None)
        sent = await user._after(fixture("no_wa_id"))
        assert sent and sent[0].body.get("recipient") == "ID.9876543210987654" and "to" not in sent[0].body
    async with sessions() as session:
        identity = await session.scalar(select(Identity).where(Identity.channel == "whatsapp"))
        assert identity is not None and identity.external_id == "ID.9876543210987654"
        person = await session.get_one(User, identity.user_id)
        assert person.phone is None and person.display_name == "Budi"


async def test_a_signed_delivery_bigger_than_one_network_chunk_is_read_whole(
    app: App, graph: FakeGraphAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with running_whatsapp(app, graph) as server:
        user = WhatsAppUser(server, graph)
        document = message("text", text="halo")
        document["entry"][0]["changes"][0]["value"]["padding"] = "x" * 300_000  # within the 1 MB limit
        assert await user.post(document) == 200
        await user.settle()
    assert await _inbox_count(sessions) == 1
