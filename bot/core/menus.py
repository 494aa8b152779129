"""Main-menu entries: how a flow appears in the menu (label key, roles, order), and which a user sees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MenuEntry:
    """How a flow appears in the main menu: label key, for which roles (`"all"`, `"admin"`), in which order."""

    label: str
    roles: frozenset[str]
    order: int = 50


@dataclass(frozen=True)
class MenuItem:
    """A menu entry with the name of the flow it starts."""

    flow: str
    entry: MenuEntry


def for_role(items: Iterable[MenuItem], role: str | None, is_admin: bool) -> list[MenuItem]:
    """The entries a user of this role sees, in menu order."""
    roles = {role or "buyer", "all"} | ({"admin"} if is_admin else set())
    return sorted((i for i in items if i.entry.roles & roles), key=lambda i: i.entry.order)
