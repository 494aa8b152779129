"""What a handler gets for one inbound message: the session, the user, their language, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action, decode
from bot.core.i18n import Translator
from bot.core.messages import Inbound, Reply
from bot.services.region import Region, region_of

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.registry import Registry
    from models import Identity, User


@dataclass
class Context:
    """Per-update context. One database session, one transaction, committed by the dispatcher."""

    session: AsyncSession
    user: User
    identity: Identity
    inbound: Inbound
    settings: Settings
    registry: Registry
    t: Translator
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> Action | None:
        """The decoded button payload of this inbound, if any."""
        return decode(self.inbound.action)

    @property
    def region(self) -> Region:
        """The configured region (`REGION_FILE`), which the session carries (see `bot.services.region.bind_region`)."""
        return region_of(self.session)

    @property
    def text(self) -> str:
        """The typed text, stripped and capped."""
        return self.inbound.clean_text

    def say(self, key: str, **params: Any) -> Reply:
        """A plain reply from a locale key."""
        return Reply(self.t(key, **params))

    def set_language(self, locale: str) -> None:
        """Switch the translator for the rest of this update (after the user picked a language)."""
        self.t = Translator(locale)
