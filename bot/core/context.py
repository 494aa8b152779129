"""What a handler gets for one inbound message: the session, the user, their language, the settings.

A flow never reaches other flows directly: it names one in `await ctx.start_flow("menu")`, and the
dispatcher (which owns the registry) starts it. `Routes` is the little the dispatcher tells a flow about
the others: their names, the menu entries, and that start function.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action, decode
from bot.core.i18n import Translator
from bot.core.menus import MenuItem, for_role
from bot.core.messages import Inbound, Reply
from bot.services.region import Region, region_of

if TYPE_CHECKING:
    from bot.config import Settings
    from models import Identity, User

StartFlowFn = Callable[["Context", str, str], Awaitable[list[Reply]]]
MatchFn = Callable[[str], "tuple[str, str] | None"]


def _no_match(_text: str) -> tuple[str, str] | None:
    return None


@dataclass(frozen=True)
class Routes:
    """The dispatcher's view of the flows, handed to every context: names, menu entries, how to start one,
    and which flow a typed keyword or /command would start (`match(text) -> (flow name, argument)`)."""

    names: frozenset[str]
    menu: tuple[MenuItem, ...]
    start: StartFlowFn
    match: MatchFn = _no_match


@dataclass
class Context:
    """Per-update context. One database session, one transaction, committed by the dispatcher."""

    session: AsyncSession
    user: User
    identity: Identity
    inbound: Inbound
    settings: Settings
    routes: Routes
    t: Translator

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

    async def start_flow(self, name: str, argument: str = "") -> list[Reply]:
        """Start the flow registered as `name` (as if its keyword had been typed with `argument`)."""
        return await self.routes.start(self, name, argument)

    def has_flow(self, name: str) -> bool:
        """Whether a flow of this name (a button prefix) is registered."""
        return name in self.routes.names

    def command_in(self, text: str) -> tuple[str, str] | None:
        """The flow (name, argument) that this text would start if typed outside a conversation, if any."""
        return self.routes.match(text)

    def menu_items(self) -> list[MenuItem]:
        """The main-menu entries this user's role sees, in order."""
        return for_role(self.routes.menu, self.user.role, self.user.is_admin)
