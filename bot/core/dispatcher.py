"""The dispatcher: who is this user, is this update new, which flow gets it.

One update is one database transaction. Updates of the same identity are serialised (an asyncio lock per
identity in this process, the user row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two messages of
one user never race on their conversation state. Replies are returned, never sent from inside the
transaction: the channel sends them after commit.

A refused action (a `UserFacingError` out of a flow) rolls the whole transaction back, with whatever the
action had begun to write; a second transaction then records the update and answers with the refusal.
Refusals are rare, so this costs less than a savepoint around every update (two statements each).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from weakref import WeakValueDictionary

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.actions import decode
from bot.core.context import Context, Routes
from bot.core.i18n import Translator
from bot.core.messages import Inbound, Reply
from bot.core.registry import Registry
from bot.core.wire import Meta, dump_replies, load_inbound
from bot.errors import PermissionDenied, UserFacingError
from bot.services import accounts, audit, conversations, inbox, outbox

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class Handled:
    """The answer to a stored update: its replies and, when they were recorded, their outbox row.

    `inbox_id` is the stored update that was handled (None: none was waiting) and `meta` what its channel
    stored with it for the answer.
    """

    replies: list[Reply]
    outbox_id: int | None = None
    inbox_id: int | None = None
    meta: Meta = dataclasses.field(default_factory=dict)


_LABEL_JUNK = re.compile(r"[\W_]+", re.UNICODE)


class _Refused(Exception):
    """A flow refused the update; its transaction rolls back and the refusal is answered in a new one."""

    def __init__(self, error: UserFacingError, inbox_id: int | None) -> None:
        super().__init__(error.key)
        self.error = error
        self.inbox_id = inbox_id


def _label_key(text: str) -> str:
    return _LABEL_JUNK.sub(" ", text.casefold()).strip()


class Dispatcher:
    """Routes every inbound message of every channel; the only entry point of the core."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings, registry: Registry) -> None:
        self.sessions = sessions
        self.settings = settings
        self.registry = registry
        self._admins = settings.bot.admin_identities()
        self._ttl = timedelta(hours=settings.bot.conversation_ttl_hours)
        self._locks: WeakValueDictionary[tuple[str, str], asyncio.Lock] = WeakValueDictionary()
        self._routes = Routes(
            names=frozenset(f.name for f in registry.flows),
            menu=registry.menu_items(),
            start=self._start_flow,
            match=self._match_text,
        )

    @contextmanager
    def _lock_ref(self, key: tuple[str, str]) -> Iterator[asyncio.Lock]:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        yield lock

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle one inbound message and return the replies to send (empty for a duplicate)."""
        return (await self._handle(inbound)).replies

    async def handle_stored(self, inbox_id: int, inbound: Inbound, meta: Meta | None = None) -> Handled:
        """Handle the oldest waiting update of this update's chat from the inbox (bot/services/inbox.py).

        That is this one, unless another process stored an earlier update of the same chat that is still
        waiting: then that one goes first (`Handled.inbox_id` says which was handled; the caller calls again
        until its own is done). Its effects, the inbox row turning "handled" and the outbox row holding the
        replies commit in one transaction; the caller sends the replies after that and marks the outbox row.
        When nothing waits (another process handled it), there are no replies and `inbox_id` is None.
        """
        return await self._handle(inbound, inbox_id=inbox_id, meta=meta or {})

    async def _handle(self, inbound: Inbound, *, inbox_id: int | None = None, meta: Meta | None = None) -> Handled:
        with self._lock_ref((inbound.channel.value, inbound.external_id)) as lock:
            async with lock:
                try:
                    refused: _Refused | None = None
                    while True:
                        try:
                            return await self._handle_in_transaction(inbound, inbox_id, meta, refused)
                        except _Refused as refusal:
                            refused = refusal
                except IntegrityError:
                    if await self._already_processed(inbound, inbox_id):
                        # Another process handled the same update id first.
                        logger.info("duplicate update %s on %s", inbound.update_id, inbound.channel.value)
                        return Handled([])
                    logger.exception("integrity error for update %s", inbound.update_id)
                except Exception:
                    # No external id: on WhatsApp it is the phone number (personal data stays out of logs).
                    logger.exception("handler failed for update %s on %s", inbound.update_id, inbound.channel.value)
                failed = await self._remember_failed_update(inbound, inbox_id)
                if failed is not None:
                    inbound, meta = load_inbound(failed.payload) if failed.id != inbox_id else (inbound, meta)
                    return Handled([self._internal_error(inbound)], inbox_id=failed.id, meta=meta or {})
                return Handled([self._internal_error(inbound)], inbox_id=inbox_id, meta=meta or {})

    def _internal_error(self, inbound: Inbound) -> Reply:
        return Reply(Translator(inbound.language_hint or self.settings.bot.default_language)("error.internal"))

    async def _handle_in_transaction(
        self, inbound: Inbound, inbox_id: int | None, meta: Meta | None, refused: _Refused | None = None
    ) -> Handled:
        async with self.sessions() as session, session.begin():
            channel = inbound.channel.value
            if inbox_id is not None:
                claimed = await inbox.claim_next(session, channel, inbound.external_id)
                if claimed is None:
                    logger.info("stored update %s was handled already", inbox_id)
                    return Handled([])
                if claimed.id != inbox_id:  # an earlier update of this chat, stored by another process
                    inbound, meta = load_inbound(claimed.payload)
                inbox_id = claimed.id
            elif inbound.update_id and not await accounts.first_delivery(session, channel, inbound.update_id):
                logger.info("skipping duplicate update %s on %s", inbound.update_id, channel)
                return Handled([])
            user, identity = await accounts.resolve(
                session, channel, inbound.external_id, inbound.display_name, inbound.phone, self._admins
            )
            await accounts.lock_user(session, user.id)
            inbound = self._resolve_typed_choice(user.last_choices, inbound)
            ctx = Context(
                session=session,
                user=user,
                identity=identity,
                inbound=inbound,
                settings=self.settings,
                routes=self._routes,
                t=Translator(user.language or inbound.language_hint or self.settings.bot.default_language),
            )
            if refused is not None and refused.inbox_id == inbox_id:
                replies = [self._refusal(ctx, refused.error)]
            else:
                try:
                    replies = await self._route(ctx)
                except UserFacingError as err:
                    raise _Refused(err, inbox_id) from err  # rolls back what the refused action began
            memo = self._choices_memo(replies)
            if memo != user.last_choices:
                await accounts.remember_choices(session, user, memo)
            replies = [dataclasses.replace(r, locale=ctx.t.locale) for r in replies]
            if inbox_id is None or not replies:
                return Handled(replies, inbox_id=inbox_id, meta=meta or {})
            outbox_id = await outbox.enqueue_reply(session, identity.id, dump_replies(replies, meta))
            return Handled(replies, outbox_id, inbox_id, meta or {})

    @staticmethod
    def _refusal(ctx: Context, err: UserFacingError) -> Reply:
        """The answer to a refused action (in the transaction after the one it rolled back); a denied
        permission is audited."""
        if isinstance(err, PermissionDenied):
            row = audit.record(ctx.session, ctx.user.id, "permission.denied", ctx.inbound.action, err.key)
            logger.warning("denied %s for user %s: %s", row.subject or "text", ctx.user.id, err.key)
        return ctx.say(err.key, **err.params)

    async def _route(self, ctx: Context) -> list[Reply]:
        inbound = ctx.inbound
        action = decode(inbound.action) if inbound.action is not None else None
        if action is not None and (flow := self.registry.get(action.prefix)) and flow.anytime and flow.on_action:
            return await flow.on_action(ctx, action)
        state = await conversations.load(ctx.session, ctx.user.id, self._ttl)
        prefix: list[Reply] = []
        if state is not None and state.expired:
            prefix.append(ctx.say("conversation.expired"))
            state = None
        if state is not None:
            flow = self.registry.get(state.flow)
            if flow is not None and flow.resume is not None:
                resumed = await flow.resume(ctx, state)
                if resumed is not None:
                    return prefix + resumed
                # "Not mine": the waiting flow leaves this input to the normal routing below.
            else:
                await conversations.clear(ctx.session, ctx.user.id)
        if not ctx.user.onboarded and (onboarding := self.registry.get("start")) and onboarding.start:
            return prefix + await onboarding.start(ctx, "")
        if inbound.action is not None:
            return prefix + await self._route_action(ctx)
        matched = self.registry.match_text(ctx.text)
        if matched is not None:
            flow, argument = matched
            if flow.start is not None:
                return prefix + await flow.start(ctx, argument)
        if self.registry.fallback is None:
            return [*prefix, ctx.say("error.unknown")]
        return prefix + await self.registry.fallback(ctx)

    async def _route_action(self, ctx: Context) -> list[Reply]:
        action = decode(ctx.inbound.action)
        flow = self.registry.get(action.prefix) if action else None
        if action is None or flow is None or flow.on_action is None:
            menu = self.registry.get("menu")
            stale = [ctx.say("form.old_button")]
            return stale + (await menu.start(ctx, "") if menu and menu.start else [])
        return await flow.on_action(ctx, action)

    def _match_text(self, text: str) -> tuple[str, str] | None:
        matched = self.registry.match_text(text)
        return (matched[0].name, matched[1]) if matched is not None and matched[0].start is not None else None

    async def _start_flow(self, ctx: Context, name: str, argument: str = "") -> list[Reply]:
        """`ctx.start_flow`: start a registered flow by name (a programming error if there is none)."""
        flow = self.registry.get(name)
        if flow is None or flow.start is None:
            raise LookupError(f"no flow {name!r} to start")
        return await flow.start(ctx, argument)

    @staticmethod
    def _resolve_typed_choice(memo: dict[str, Any] | None, inbound: Inbound) -> Inbound:
        """A typed "2" or a typed button label means the same as pressing that button."""
        if not memo or inbound.action is not None or not inbound.text.strip():
            return inbound
        items: list[list[str]] = memo.get("items", [])  # type: ignore[assignment]
        typed = inbound.text.strip()
        if memo.get("numbered") and typed.isascii() and typed.isdecimal() and len(typed) <= 3:
            # A label that carries its own number ("6. Toko Maju") wins over the position.
            own = [payload for label, payload in items if label.startswith(f"{int(typed)}. ")]
            if len(own) == 1:
                return dataclasses.replace(inbound, action=own[0])
            if 1 <= int(typed) <= len(items):
                return dataclasses.replace(inbound, action=items[int(typed) - 1][1])
        key = _label_key(typed)
        if not key:
            return inbound
        for label, payload in items:
            if _label_key(label) == key:
                return dataclasses.replace(inbound, action=payload)
        if memo.get("numbered") and len(key) >= 3:
            # A list of options (not a free-text question): a unique beginning of a label picks it.
            starts = [payload for label, payload in items if _label_key(label).startswith(key)]
            if len(starts) == 1:
                return dataclasses.replace(inbound, action=starts[0])
        return inbound

    @staticmethod
    def _choices_memo(replies: list[Reply]) -> dict[str, Any] | None:
        last = next((r for r in reversed(replies) if r.choices), None)
        if last is None:
            return None
        items = [[c.label, c.action] for c in last.choices if c.url is None]
        return {"numbered": not last.free_text, "items": items}

    async def _already_processed(self, inbound: Inbound, inbox_id: int | None) -> bool:
        if inbox_id is not None:
            return False
        if not inbound.update_id:
            return False
        async with self.sessions() as session:
            return await accounts.was_processed(session, inbound.channel.value, inbound.update_id)

    async def _remember_failed_update(self, inbound: Inbound, inbox_id: int | None) -> inbox.StoredUpdate | None:
        """A failed update is not tried again: a replay would fail the same way and apologise twice.

        A stored one is the chat's oldest waiting update again (its transaction rolled back): it is claimed
        and returned.
        """
        if inbox_id is None and not inbound.update_id:
            return None
        try:
            async with self.sessions() as session, session.begin():
                if inbox_id is not None:
                    return await inbox.claim_next(session, inbound.channel.value, inbound.external_id)
                await accounts.first_delivery(session, inbound.channel.value, inbound.update_id or "")
        except Exception:
            logger.exception("could not record failed update %s", inbound.update_id)
        return None

    async def mark_unreachable(self, channel: str, external_id: str) -> None:
        """A channel reports the user blocked the bot: stop sending there."""
        async with self.sessions() as session, session.begin():
            await accounts.mark_unreachable(session, channel, external_id)
