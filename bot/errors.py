"""Errors that carry a locale key, so the user always gets a translated, friendly message.

A leaf module: it imports nothing of the project, so every layer (services, core, handlers) may raise these.
"""

from __future__ import annotations

from typing import Any


class UserFacingError(Exception):
    """An error whose message is a locale key plus format parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, {self.params!r})"


class ValidationError(UserFacingError):
    """User input could not be parsed; `key` names the message that says what was wrong."""


class PermissionDenied(UserFacingError):
    """The service refused an action the user is not allowed to take."""

    def __init__(self, key: str = "error.not_allowed", **params: Any) -> None:
        super().__init__(key, **params)


class NotFound(UserFacingError):
    """The thing the user asked for does not exist (any more)."""

    def __init__(self, key: str = "error.not_found", **params: Any) -> None:
        super().__init__(key, **params)
