"""A collecting fake channel: drive any flow by typing or pressing buttons, and read the transcript."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.config import Settings
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Channel, Inbound, Reply

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
