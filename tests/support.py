"""Shared test helpers (test modules import from here or use conftest fixtures, never each other).

* `Chat`: a collecting fake channel: drive any flow by typing or pressing buttons, and read the transcript.
* Vendor set-up through chat: `PROFILE_ANSWERS`, `register_business`, `add_product`; `write_csv` for imports.
* The WhatsApp harness: `running_whatsapp` (the server with only WhatsApp, against the fake Graph API of
  the `graph` fixture) and `WhatsAppUser`, who posts signed webhook deliveries and waits for the answers.
* The Telegram harness: `running` (what `banggabeli run` runs, against the fake Bot API of the `tg` fixture)
  and `Phone` / `phone`, a Telegram user who acts and waits until the bot has answered.
"""

from __future__ import annotations

import asyncio
import csv
import itertools
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.channels.runner import ChannelServer
from bot.channels.telegram import FloodGuard, SendLimits, TelegramChannel
from bot.channels.whatsapp import GraphLimits
from bot.config import Settings
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Channel, Inbound, Reply
from bot.core.wire import Locale, render
from bot.services import broadcasts, catalog
from bot.services.delivery import DeliveryWorker
from bot.services.outbox import Envelope
from bot.services.parsers import Price
from models import User, utcnow
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, FakeGraphAPI, Sent, sign
from tests.fakes.graph_api import TOKEN as WA_TOKEN
from tests.fakes.graph_api import message as wa_message
from tests.fakes.telegram_api import DEFAULT_PHOTO_FILE_ID, FakeTelegramAPI

_update_ids = itertools.count(1)
_indonesian = Translator("id")
_english = Translator("en")


def t(key: str, **params: object) -> str:
    """The Indonesian text of a locale key, as the bot would say it: assert on this, not on copied copy."""
    return _indonesian(key, **params)


def t_en(key: str, **params: object) -> str:
    """The English text of a locale key."""
    return _english(key, **params)


def make_settings(database_url: str, **bot_overrides: object) -> Settings:
    """Settings for tests: no .env file, the test database, optional bot-setting overrides."""
    settings = Settings(env_file=None)
    settings.database.url = database_url
    for key, value in bot_overrides.items():
        setattr(settings.bot, key, value)
    return settings


@dataclass
class Chat:
    """One user talking to the dispatcher, as a phone would."""

    dispatcher: Dispatcher
    user: str
    channel: Channel = Channel.CONSOLE
    language_hint: str | None = "id"
    transcript: list[tuple[str, str]] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)

    async def send(self, inbound: Inbound) -> list[Reply]:
        """Deliver a prepared inbound and remember the replies."""
        self.last = await self.dispatcher.handle(inbound)
        for reply in self.last:
            self.transcript.append(("bot", reply.text))
        return self.last

    def _inbound(self, **kw: object) -> Inbound:
        base: dict[str, object] = {
            "channel": self.channel,
            "external_id": self.user,
            "display_name": self.user.title(),
            "language_hint": self.language_hint,
            "update_id": str(next(_update_ids)),
        }
        base.update(kw)
        return Inbound(**base)  # type: ignore[arg-type]

    async def say(self, text: str, **kw: object) -> list[Reply]:
        """Type a message."""
        self.transcript.append(("user", text))
        return await self.send(self._inbound(text=text, **kw))

    async def press(self, label: str) -> list[Reply]:
        """Press the button with this label (exact, or a unique case-insensitive prefix) on the last replies."""
        choices = [c for r in self.last for c in r.choices]
        match = [c for c in choices if c.label == label] or [
            c for c in choices if c.label.casefold().startswith(label.casefold())
        ]
        if len(match) != 1:
            raise AssertionError(f"no single button {label!r} in {[c.label for c in choices]}")
        self.transcript.append(("press", label))
        return await self.send(self._inbound(action=match[0].action))

    async def press_payload(self, payload: str) -> list[Reply]:
        """Press a button with an arbitrary (possibly forged or stale) payload."""
        return await self.send(self._inbound(action=payload))

    async def photo(self, ref: str = "photo-1") -> list[Reply]:
        """Send a photo."""
        return await self.send(self._inbound(photo_ref=ref))

    async def sticker(self) -> list[Reply]:
        """Send something the bot cannot read (sticker, voice)."""
        return await self.send(self._inbound(has_unsupported_media=True))

    async def contact(self, phone: str) -> list[Reply]:
        """Share a phone number as a contact."""
        return await self.send(self._inbound(contact_phone=phone))

    @property
    def text(self) -> str:
        """All text of the last replies."""
        return "\n".join(r.text for r in self.last)

    def said(self, key: str, **params: object) -> bool:
        """Whether the last replies contain the text of this locale key (with these parameters)."""
        return t(key, **params) in self.text

    def labels(self) -> list[str]:
        """The button labels of the last replies."""
        return [c.label for r in self.last for c in r.choices]


async def onboard(dispatcher: Dispatcher, user: str, role_label: str = "Pelaku usaha") -> Chat:
    """A user who went through /start: Indonesian, the given role, consent given."""
    chat = Chat(dispatcher, user)
    await chat.say("halo")
    await chat.press(t("language.name_id"))
    await chat.press(role_label)
    await chat.press(t("start.btn_agree"))
    return chat


OPD_ANSWERS = ["Rina Marlina", "Dinas Pendidikan", "Pejabat Pengadaan", "198503122010012002", "0813-1111-2222"]


async def fill_opd_profile(chat: Chat, answers: Sequence[str] = OPD_ANSWERS) -> None:
    """An onboarded OPD user gives name, agency, job title, NIP and phone, and saves (`profil opd`)."""
    await chat.say("profil opd")
    for answer in answers:
        await chat.say(answer)
    assert chat.said("form.summary_title")
    await chat.press(t("form.btn_save"))


# ---- vendors set up through chat --------------------------------------------------------------------------

PROFILE_ANSWERS = [
    "Keripik Pisang Bu Sari",
    "Sari Wulandari",
    "0812-3456-7890",
    "metro utara",
    "Jl. Ahmad Yani No. 12, Purwosari",
    "lewati",  # NIB
    "ya",  # e-Katalog
    "lewati",  # link
    "tidak",  # TKDN
    "lewati",  # halal
    "P-IRT No. 1234567890123-45",
    "Keripik pisang renyah khas Metro sejak 2015.",
]


async def register_business(chat: Chat) -> None:
    await chat.say("daftar usaha")
    for answer in PROFILE_ANSWERS:
        await chat.say(answer)
    await chat.press(t("vendor.visibility_all"))
    assert chat.said("form.summary_title")
    await chat.press(t("form.btn_save"))
    assert chat.said("vendor.saved", name=PROFILE_ANSWERS[0])


async def add_product(chat: Chat, name: str, price: str, unit: str = "bungkus", photo: str | None = None) -> None:
    await chat.say("tambah produk")
    await chat.say(name)
    await chat.press("Makanan")
    await chat.say("lewati")
    await chat.say(price)
    await chat.say(unit)
    await chat.say("lewati")  # minimum order
    await chat.say("lewati")  # monthly capacity
    if chat.said("product.ask_tkdn_percent"):  # asked only of a vendor with a TKDN certificate
        await chat.say("lewati")
    if photo:
        await chat.photo(photo)
    else:
        await chat.say("lewati")
    await chat.press(t("form.btn_save"))
    assert chat.said("product.saved", name=name)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], **kw: Any) -> Path:
    with path.open("w", encoding=kw.pop("encoding", "utf-8"), newline="") as fh:
        writer = csv.writer(fh, lineterminator=kw.pop("lineterminator", "\n"), **kw)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---- the Telegram channel against the fake Bot API ---------------------------------------------------------

USER = 1001  # the Telegram user id the harness talks as


@asynccontextmanager
async def running(
    app: App, tg: FakeTelegramAPI, limits: SendLimits | None = None, **settings: Any
) -> AsyncIterator[ChannelServer]:
    """`banggabeli run` in-process: polling (or a webhook) against the fake; no pacing, no flood limit."""
    app.settings.telegram.bot_token = SecretStr("42:TEST")
    app.settings.telegram.api_server = tg.base_url
    app.settings.web.port = 0  # the server binds a free port itself; read it back from `server.port`
    for key, value in settings.items():
        setattr(app.settings.web, key, value)
    limits = limits or SendLimits.unpaced()
    async with ChannelServer(app, limits=limits, polling_timeout=1, shutdown_grace=5) as server:
        assert server.telegram is not None
        server.telegram.flood = FloodGuard(burst=10_000)  # these scripted users type faster than people
        yield server


@dataclass
class Phone:
    """One Telegram user: acts through the fake, then waits until the bot has answered everything."""

    tg: FakeTelegramAPI
    channel: TelegramChannel
    user: int = USER

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            quiet = 0
            while quiet < 3:  # the queue is empty and the channel idle for a few turns in a row
                idle = not self.tg.pending_updates and self.channel.idle
                quiet = quiet + 1 if idle else 0
                await asyncio.sleep(0.005)

    async def _after(self, act: Any) -> list[str]:
        before = len(self.tg.texts_to(self.user))
        act()
        await self.settle()
        return self.tg.texts_to(self.user)[before:]

    async def send(self, text: str) -> list[str]:
        return await self._after(lambda: self.tg.send_text(self.user, text))

    async def tap(self, label: str, **kw: Any) -> list[str]:
        return await self._after(lambda: self.tg.tap(self.user, label, **kw))

    async def photo(self, file_id: str = DEFAULT_PHOTO_FILE_ID) -> list[str]:
        return await self._after(lambda: self.tg.send_photo(self.user, file_id))

    def payload(self, label: str) -> str:
        """The callback data of an inline button of the newest bot message."""
        markup = self.tg.last_message_to(self.user)["reply_markup"]
        return next(b["callback_data"] for row in markup["inline_keyboard"] for b in row if b["text"] == label)

    def buttons(self) -> list[str]:
        """Inline button labels of the newest bot message."""
        markup = self.tg.last_message_to(self.user).get("reply_markup") or {}
        return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def phone(server: ChannelServer, tg: FakeTelegramAPI, user: int = USER) -> Phone:
    assert server.telegram is not None
    return Phone(tg, server.telegram, user)


# ---- the WhatsApp channel against the fake Graph API -------------------------------------------------------


@asynccontextmanager
async def running_whatsapp(app: App, graph: FakeGraphAPI, **whatsapp: Any) -> AsyncIterator[ChannelServer]:
    """`banggabeli run` in-process with only WhatsApp configured, sending to the fake Graph API, unpaced."""
    settings = app.settings.whatsapp
    settings.token = SecretStr(WA_TOKEN)
    settings.phone_number_id = PHONE_NUMBER_ID
    settings.app_secret = SecretStr(APP_SECRET)
    settings.verify_token = SecretStr(VERIFY_TOKEN)
    settings.api_base = graph.base_url
    for key, value in whatsapp.items():
        setattr(settings, key, value)
    app.settings.telegram.bot_token = None
    app.settings.web.port = 0
    async with ChannelServer(app, whatsapp_limits=GraphLimits.unpaced(), shutdown_grace=5) as server:
        assert server.whatsapp is not None
        yield server


@dataclass
class WhatsAppUser:
    """One WhatsApp user: posts signed webhook deliveries, then waits until the bot has answered."""

    server: ChannelServer
    graph: FakeGraphAPI
    user_id: str = "ID.1234567890123456"
    wa_id: str | None = "6281234567890"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/whatsapp/webhook"

    @property
    def address(self) -> str:
        """Where the bot's messages to this user go (`to`, or `recipient` without a phone number)."""
        return self.wa_id or self.user_id

    async def post(self, document: dict[str, Any], signature: str | None = "sign", body: bytes | None = None) -> int:
        """POST a webhook delivery; signed correctly unless `signature` says otherwise (None: unsigned)."""
        raw = body if body is not None else json.dumps(document).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = sign(raw) if signature == "sign" else signature
        async with ClientSession() as http, http.post(self.url, data=raw, headers=headers) as response:
            return response.status

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            quiet = 0
            while quiet < 3:
                quiet = quiet + 1 if self.server.app.intake.idle else 0
                await asyncio.sleep(0.005)

    async def _after(self, document: dict[str, Any]) -> list[Sent]:
        before = len(self.graph.to(self.address))
        assert await self.post(document) == 200
        await self.settle()
        return self.graph.to(self.address)[before:]

    async def say(self, text: str) -> list[Sent]:
        return await self._after(wa_message("text", user_id=self.user_id, wa_id=self.wa_id, text=text))

    async def send(self, kind: str, **kw: Any) -> list[Sent]:
        return await self._after(wa_message(kind, user_id=self.user_id, wa_id=self.wa_id, **kw))

    async def press(self, title: str) -> list[Sent]:
        """Press the reply button or list row with this title (or a unique prefix) of the newest interactive."""
        last = next(s for s in reversed(self.graph.to(self.address)) if s.type == "interactive")
        options = last.options()
        found = [i for t_, i in options if t_ == title] or [i for t_, i in options if t_.startswith(title)]
        if len(found) != 1:
            raise AssertionError(f"no single option {title!r} in {options}")
        kind = "button_reply" if last.kind == "button" else "list_reply"
        return await self.send(kind, payload=found[0])


async def whatsapp_vendor(user: WhatsAppUser) -> None:
    """A WhatsApp user goes through the start (buttons all the way) and registers the business of PROFILE_ANSWERS."""
    await user.say("halo")
    await user.press("Bahasa Indonesia")
    await user.press("Pelaku usaha")
    await user.press(t("start.btn_agree"))
    await user.say("daftar usaha")
    for answer in PROFILE_ANSWERS:
        await user.say(answer)
    await user.press(t("vendor.visibility_all"))
    saved = await user.press(t("form.btn_save"))
    assert any(t("vendor.saved", name=PROFILE_ANSWERS[0]) in s.text for s in saved)


def message_shapes(sent: list[Sent]) -> list[tuple[str, int]]:
    """(kind, number of options) per message the fake received; numbered text counts its "n. " lines."""
    return [
        (s.kind, len(s.options()) or sum(1 for line in s.text.split("\n") if line.split(". ")[0].isdigit()))
        for s in sent
    ]


# ---- the outbox, delivered to console users ---------------------------------------------------------------


class Phones:
    """Stands in for the channels: what each console user received from the outbox (the worker's sender)."""

    def __init__(self) -> None:
        self.inbox: dict[str, list[Reply]] = {}

    async def __call__(self, envelope: Envelope) -> str:
        replies, _meta = render(envelope.payload, envelope.language, Locale())
        self.inbox.setdefault(envelope.external_id, []).extend(replies)
        return "sent"

    def texts(self, user: str) -> list[str]:
        """The texts one user received, in order."""
        return [r.text for r in self.inbox.get(user, [])]


async def deliver_outbox(app: App, phones: Phones) -> int:
    """Run the delivery worker for console identities until nothing is due (closing finished broadcasts, whose
    summaries then go out too); how many rows it delivered."""
    worker = DeliveryWorker(app.sessions, {"console": phones})
    total = 0
    while claimed := await worker.run_once():
        total += claimed
    async with app.sessions() as session, session.begin():
        await broadcasts.finish(session)
    while claimed := await worker.run_once():
        total += claimed
    return total


async def vendor_with_products(session: AsyncSession, business: dict[str, Any], products: Sequence[str]) -> User:
    """A consented seller with `business` and one konveksi product (Rp150.000/lembar) per name, saved through
    the catalog service as the chat would."""
    user = User(display_name="Penjual", role="vendor", consent_version="1", consented_at=utcnow())
    session.add(user)
    await session.flush()
    await catalog.save_vendor(session, user, business)
    for name in products:
        product = {"name": name, "category": "konveksi", "price": Price(150000), "unit": "lembar"}
        await catalog.add_product(session, user, product, "console")
    return user
