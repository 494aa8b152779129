"""The list of flows in priority order. Handlers register here; only the dispatcher routes through it.

A flow's `resume` takes the next input while the flow has an active conversation state; it returns None to
say "not mine" (another flow's button, a command), and the dispatcher then routes the input as if no flow
were waiting. Flows start each other through `ctx.start_flow(name)`, never by calling each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.core.actions import Action
from bot.core.context import Context
from bot.core.menus import MenuEntry, MenuItem
from bot.core.messages import Reply
from bot.services.conversations import State

StartFn = Callable[[Context, str], Awaitable[list[Reply]]]
ActionFn = Callable[[Context, Action], Awaitable[list[Reply]]]
ResumeFn = Callable[[Context, State], Awaitable[list[Reply] | None]]
FallbackFn = Callable[[Context], Awaitable[list[Reply]]]


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
    # Its buttons work at any moment: before onboarding and without disturbing the flow the user is in
    # (a question that came as a notice, e.g. joining a Telegram and a WhatsApp account).
    anytime: bool = False


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

    def menu_items(self) -> tuple[MenuItem, ...]:
        """Every flow that has a menu entry, with its entry."""
        return tuple(MenuItem(f.name, f.menu) for f in self.flows if f.menu is not None)
