"""The list of flows in priority order. Handlers register here; the dispatcher routes through it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.core.actions import Action
from bot.core.context import Context
from bot.core.messages import Reply
from bot.services.conversations import State

StartFn = Callable[[Context, str], Awaitable[list[Reply]]]
ActionFn = Callable[[Context, Action], Awaitable[list[Reply]]]
ResumeFn = Callable[[Context, State], Awaitable[list[Reply]]]
FallbackFn = Callable[[Context], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class MenuEntry:
    """How a flow appears in the main menu: label key, for which roles, in which order."""

    label: str
    roles: frozenset[str]
    order: int = 50


@dataclass(frozen=True)
class Flow:
    """One user goal. `name` is also the prefix of its button payloads and its state's `flow`."""

    name: str
    start: StartFn | None = None
    keywords: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    takes_argument: bool = False
    on_action: ActionFn | None = None
    resume: ResumeFn | None = None
    menu: MenuEntry | None = None


@dataclass
class Registry:
    """Flows in priority order, plus the catch-all for free text."""

    flows: list[Flow] = field(default_factory=list)
    fallback: FallbackFn | None = None

    def add(self, flow: Flow) -> Flow:
        """Register a flow (names are unique)."""
        if any(f.name == flow.name for f in self.flows):
            raise ValueError(f"duplicate flow {flow.name}")
        self.flows.append(flow)
        return flow

    def get(self, name: str) -> Flow | None:
        """The flow with this name."""
        return next((f for f in self.flows if f.name == name), None)

    def match_text(self, text: str) -> tuple[Flow, str] | None:
        """The flow a typed keyword or /command starts, with the rest of the sentence as its argument."""
        lowered = " ".join(text.casefold().split())
        if not lowered:
            return None
        if lowered.startswith("/"):
            command, _, rest = lowered[1:].partition(" ")
            command = command.split("@")[0]
            for flow in self.flows:
                if command in flow.commands:
                    return flow, rest.strip()
            return None
        for flow in self.flows:
            for keyword in flow.keywords:
                if lowered == keyword:
                    return flow, ""
                if flow.takes_argument and lowered.startswith(keyword + " "):
                    return flow, lowered[len(keyword) :].strip()
        return None

    def menu_for(self, role: str | None, is_admin: bool) -> list[Flow]:
        """The flows in the main menu of a role, in menu order."""
        roles = {role or "buyer"} | ({"admin"} if is_admin else set())
        entries = [f for f in self.flows if f.menu and f.menu.roles & (roles | {"all"})]
        return sorted(entries, key=lambda f: f.menu.order if f.menu else 0)
