"""A local fake of the Telegram Bot API, served over real HTTP on 127.0.0.1.

Tests use it in place of ``api.telegram.org``::

    async with FakeTelegramAPI() as tg:
        bot = Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
        async with tg.polling(dp, bot):            # or start dp.start_polling(...) yourself
            tg.send_text(1001, "halo")
            call = await tg.wait_for("sendMessage", chat_id=1001)
        await bot.session.close()

What it does:

* ``getMe`` and a real long-poll ``getUpdates`` (``offset`` / ``limit`` / ``timeout`` /
  ``allowed_updates``). Waiting is event-driven, so a poll returns as soon as an update is queued.
  A webhook that is set makes ``getUpdates`` answer 409, as Telegram does. ``poll_endings`` says how
  each poll ended ("ready", "woken" by a queued update, "empty" without waiting, "timeout" after waiting
  it out, "closed"); ``wait_for_parked_poll`` returns once a poll is waiting, so a test can queue an
  update into a poll that is surely parked. Tests check behaviour this way, never the wall clock.
* Helpers queue updates shaped like Telegram's JSON: ``send_text``, ``press_button``, ``tap``,
  ``share_contact``, ``send_photo``, ``send_sticker``, ``queue_raw`` and ``duplicate``.
* Bot methods (``sendMessage``, ``sendPhoto``, ``sendDocument``, ``editMessage*``,
  ``answerCallbackQuery``, ``deleteMessage``, ``sendChatAction``, ``*MyCommands``, ``*Webhook*``,
  ``getFile``) are recorded in ``calls`` and answered with realistic results. Per-chat message state
  is kept, so edits change the stored message. ``messages_to(chat_id)`` shows what the user sees.
* Telegram's validation that commonly bites bots: HTML / MarkdownV2 entity parsing ("can't parse
  entities"), 4096/1024 length limits, 64-byte ``callback_data``, "message is not modified", unknown
  or already answered callback queries, and editing without ``reply_markup`` removing the keyboard.
* Fault injection (``fail_next``, ``block_user``) uses Telegram's exact error JSON, so aiogram raises
  ``TelegramRetryAfter`` / ``TelegramForbiddenError`` / ``TelegramBadRequest``.

Requests are read with ``await request.post()`` (form-urlencoded or multipart, which is what aiogram
sends), or as JSON. Nested JSON strings (``reply_markup``, ``entities``, ``commands``...) are decoded,
and numbers / booleans become ``int`` / ``bool``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import html
import inspect
import itertools
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from aiohttp import ClientSession, ClientTimeout, web

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from aiogram.client.telegram import TelegramAPIServer

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_ID",
    "BOT_USERNAME",
    "Call",
    "FakeAPIError",
    "FakeTelegramAPI",
    "UploadedFile",
]

BOT_ID = 42
BOT_USERNAME = "banggabeli_test_bot"
BOT_FIRST_NAME = "Bangga Beli"
DEFAULT_TOKEN = f"{BOT_ID}:TEST"
DEFAULT_PHOTO_FILE_ID = "AgACAgUAAxkBAAIBVWbanggaBeliPhotoAAHkxMTBGAAQBAAMCAAN5AAM2BA"
DEFAULT_STICKER_FILE_ID = "CAACAgIAAxkBAAIBWGbanggaBeliStickerAAJBAQACVp29CiqXDJ0IUyEiNgQ"
# Smallest useful stand-in for a JPEG: SOI + APP0 marker, then EOI.
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

# Updates Telegram leaves out unless they are asked for explicitly.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Form fields that are plain strings and must never be JSON-decoded ("42" as text stays "42").
_STRING_PARAMS = frozenset(
    {
        "action",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "description",
        "document",
        "emoji",
        "file_id",
        "inline_message_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "name",
        "parse_mode",
        "photo",
        "query",
        "secret_token",
        "short_description",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "video",
        "video_note",
        "voice",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_MEDIA_KEYS = ("photo", "document", "video", "audio", "animation", "voice")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_TEXT_BUTTONS_UNALLOWED = (
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_POLL_TERMINATED = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: _POLL_TERMINATED,
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class _Sent(NamedTuple):
    """A message taken while rate limits are enforced."""

    at: float
    chat: int | str | None
    text: str


class Call(NamedTuple):
    """One recorded Bot API call: canonical method name and decoded parameters."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded with multipart (e.g. ``BufferedInputFile``)."""

    filename: str
    content_type: str
    content: bytes


class FakeAPIError(Exception):
    """An error answer in Telegram's shape: ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, error_code: int, description: str, parameters: Mapping[str, Any] | None = None):
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = dict(parameters) if parameters else None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class _Fault:
    method: str  # lower-case
    error: FakeAPIError
    chat_id: int | str | None
    times: int


@dataclass
class _Queued:
    update: dict[str, Any]
    delivered: bool = False


@dataclass
class _Stored:
    message: dict[str, Any]  # Telegram JSON (what getUpdates / results carry)
    outgoing: bool  # sent by the bot
    markup: dict[str, Any] | None = None  # reply_markup as sent, any kind (Telegram only echoes inline)
    deleted: bool = False

    def view(self) -> dict[str, Any]:
        msg = copy.deepcopy(self.message)
        if self.markup is not None:
            msg["reply_markup"] = copy.deepcopy(self.markup)
        else:
            msg.pop("reply_markup", None)
        return msg


@dataclass
class _Record:
    call: Call
    error: dict[str, Any] | None = None
    consumed: bool = False


class _Signal:
    """Edge-triggered broadcast: ``fire()`` wakes every current waiter (usable from sync code)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0)):
                await event.wait()


class _ErrorCapture(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.ERROR)
        self._sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self._sink.append(record.getMessage())


@dataclass
class _Ctx:
    token: str
    bot_id: int


@dataclass
class _Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class FakeTelegramAPI:
    """Fake Bot API server. Use as ``async with FakeTelegramAPI() as tg:`` (or ``await start()/close()``).

    :param token: if given, only this token is accepted (others get 401 Unauthorized).
    :param check_webhook_url: reject ``setWebhook`` URLs Telegram would reject (not HTTPS, bad port).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        check_webhook_url: bool = True,
        bot_first_name: str = BOT_FIRST_NAME,
        bot_username: str = BOT_USERNAME,
    ) -> None:
        self.token = token
        self.host = host
        self.check_webhook_url = check_webhook_url
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.port: int | None = None

        self._runner: web.AppRunner | None = None
        self._closing = False
        self._updates_signal = _Signal()
        self._calls_signal = _Signal()

        # incoming side
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._queue: list[_Queued] = []
        self._history: dict[int, dict[str, Any]] = {}
        self._allowed_updates: set[str] | None = None
        self._poll_generation = 0
        self.get_updates_requests: list[dict[str, Any]] = []
        # how each answered getUpdates ended: "ready", "woken", "empty" (nothing, no wait), "timeout", "closed"
        self.poll_endings: list[str] = []
        self._parked_polls = 0
        self.dropped_updates: list[dict[str, Any]] = []
        self._callback_ids = itertools.count(4_650_000_000_000_000_001)
        self._open_queries: set[str] = set()
        self._answered_queries: set[str] = set()

        # state
        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int | str, int], _Stored] = {}
        self._message_ids: dict[int | str, itertools.count[int]] = {}
        self._transcript: dict[int | str, list[int]] = {}
        self._files: dict[str, bytes] = {}
        self._file_paths: dict[str, str] = {}
        self._file_counter = itertools.count(1)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._webhook = _Webhook()
        self._faults: list[_Fault] = []
        self._blocked: set[int | str] = set()
        self._stubs: dict[str, Any] = {}
        self._limits: tuple[float, float] | None = None
        self._sent_at: collections.deque[float] = collections.deque()
        self._chat_sent_at: dict[int | str, float] = {}
        self.rate_limited = 0
        self._send_log: list[_Sent] = []

        # inspection
        self._records: list[_Record] = []
        self.failures: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.handler_errors: list[str] = []

        self._handlers: dict[str, Callable[[_Ctx, dict[str, Any]], Any]] = {
            "getMe": self._m_get_me,
            "sendMessage": self._m_send_message,
            "sendPhoto": self._m_send_photo,
            "sendDocument": self._m_send_document,
            "editMessageText": self._m_edit_message_text,
            "editMessageCaption": self._m_edit_message_caption,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "answerCallbackQuery": self._m_answer_callback_query,
            "sendChatAction": self._m_send_chat_action,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "setWebhook": self._m_set_webhook,
            "deleteWebhook": self._m_delete_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "getFile": self._m_get_file,
        }
        self._canonical = {name.lower(): name for name in [*self._handlers, "getUpdates"]}

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeTelegramAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        if self._runner is not None:
            msg = "FakeTelegramAPI already started"
            raise RuntimeError(msg)
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def close(self) -> None:
        self._closing = True
        self._updates_signal.fire()  # pending long polls answer [] at once
        self._calls_signal.fire()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def base_url(self) -> str:
        if self.port is None:
            msg = "FakeTelegramAPI is not started (use `async with FakeTelegramAPI() as tg`)"
            raise RuntimeError(msg)
        return f"http://{self.host}:{self.port}"

    @property
    def api_server(self) -> TelegramAPIServer:
        """``TelegramAPIServer.from_base(self.base_url)`` for aiogram."""
        from aiogram.client.telegram import TelegramAPIServer

        return TelegramAPIServer.from_base(self.base_url)

    def create_bot(self, token: str = DEFAULT_TOKEN, **bot_kwargs: Any) -> Bot:
        """An aiogram ``Bot`` talking to this fake. The caller closes it: ``await bot.session.close()``."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession

        return Bot(token, session=AiohttpSession(api=self.api_server), **bot_kwargs)

    @contextlib.asynccontextmanager
    async def polling(
        self,
        dispatcher: Dispatcher,
        bot: Bot | None = None,
        *,
        raise_handler_errors: bool = True,
        start_timeout: float = 5.0,
        **polling_kwargs: Any,
    ) -> AsyncIterator[Bot]:
        """Run aiogram's real ``start_polling`` against this fake for the body of the ``async with``.

        Waits until the first ``getUpdates`` arrives, then yields the bot. On exit it stops polling and
        awaits the task (so its exceptions surface), and closes the bot session if it created the bot.
        Errors aiogram logs from handlers ("Cause exception while process update") are collected into
        ``handler_errors`` and, unless ``raise_handler_errors=False``, raised as AssertionError at exit.
        """
        own_bot = bot is None
        the_bot = self.create_bot() if bot is None else bot
        capture = _ErrorCapture(self.handler_errors)
        event_logger = logging.getLogger("aiogram.event")
        event_logger.addHandler(capture)
        kwargs: dict[str, Any] = {
            "handle_signals": False,
            "close_bot_session": False,
            "polling_timeout": 1,
            **polling_kwargs,
        }
        polls_before = len(self.get_updates_requests)
        task = asyncio.create_task(dispatcher.start_polling(the_bot, **kwargs))
        try:
            deadline = asyncio.get_running_loop().time() + start_timeout
            while len(self.get_updates_requests) == polls_before and not task.done():
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    msg = f"aiogram polling did not call getUpdates within {start_timeout}s"
                    raise TimeoutError(msg)
                await self._calls_signal.wait(min(remaining, 0.1))
            if task.done():
                await task  # raises what start_polling raised
                msg = "start_polling returned before polling started"
                raise RuntimeError(msg)
            yield the_bot
        finally:
            try:
                if not task.done():
                    await dispatcher.stop_polling()
                await task
            finally:
                event_logger.removeHandler(capture)
                if own_bot:
                    await the_bot.session.close()
        if raise_handler_errors and self.handler_errors:
            msg = "aiogram handlers raised:\n" + "\n".join(self.handler_errors)
            raise AssertionError(msg)

    # ------------------------------------------------------------------ incoming updates

    def queue_raw(self, update: Mapping[str, Any], *, queue: bool = True) -> int:
        """Queue a raw update dict. ``update_id`` is assigned if missing. Returns the update_id."""
        upd = copy.deepcopy(dict(update))
        if "update_id" not in upd:
            upd["update_id"] = next(self._update_ids)
        uid = int(upd["update_id"])
        if uid > self._last_update_id:
            self._last_update_id = uid
            self._update_ids = itertools.count(uid + 1)
        if "callback_query" in upd:
            self._open_queries.add(str(upd["callback_query"]["id"]))
        self._history[uid] = upd
        if queue:
            self._queue.append(_Queued(copy.deepcopy(upd)))
            self._updates_signal.fire()
        return uid

    def duplicate(self, update_id: int) -> int:
        """Queue the same update again with the same update_id (like a webhook retry)."""
        try:
            upd = self._history[update_id]
        except KeyError:
            msg = f"update {update_id} was never queued (known: {sorted(self._history)})"
            raise KeyError(msg) from None
        self._queue.append(_Queued(copy.deepcopy(upd)))
        self._updates_signal.fire()
        return update_id

    def update(self, update_id: int) -> dict[str, Any]:
        """A copy of an update queued earlier (e.g. to ``post_webhook`` it)."""
        return copy.deepcopy(self._history[update_id])

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by an ``offset``."""
        return [copy.deepcopy(q.update) for q in self._queue]

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        chat_id: int | None = None,
        queue: bool = True,
    ) -> int:
        """The user sends a text message. ``/commands`` get a ``bot_command`` entity, as in Telegram.

        Name and language default to the last ones used for this user, else "Budi" / "id"
        (pass ``language_code=""`` to leave it out, as some clients do).
        """
        self._remember_user(user_id, first_name, language_code, last_name, username)
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"offset": 0, "length": _utf16_len(command), "type": "bot_command"}]
        message = self._user_message(user_id, chat_id, content)
        return self.queue_raw({"message": message}, queue=queue)

    def press_button(
        self,
        user_id: int,
        callback_data: str,
        *,
        message_id: int,
        chat_id: int | None = None,
        strict: bool = True,
        queue: bool = True,
    ) -> int:
        """The user presses an inline button on bot message ``message_id``.

        The ``callback_query.message`` is the stored bot message (as edited so far). With ``strict``
        (default) the message must exist and carry a button with exactly this ``callback_data``.
        """
        self._remember_user(user_id, None, None, None, None)
        chat_key = _chat_key(user_id if chat_id is None else chat_id)
        stored = self._messages.get((chat_key, message_id))
        if stored is None or stored.deleted:
            if strict:
                msg = (
                    f"press_button: no message {message_id} in chat {chat_key} "
                    f"(bot messages there: {self._transcript.get(chat_key, [])})"
                )
                raise LookupError(msg)
            message: dict[str, Any] = {"message_id": message_id, "chat": self._chat(chat_key), "date": 0}
        else:
            message = copy.deepcopy(stored.message)
            if strict:
                data = [b.get("callback_data") for b in _inline_buttons(stored.message.get("reply_markup"))]
                if callback_data not in data:
                    msg = (
                        f"press_button: message {message_id} in chat {chat_key} has no button with "
                        f"callback_data={callback_data!r} (it has {data})"
                    )
                    raise ValueError(msg)
        query = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id),
            "message": message,
            "chat_instance": str(-(abs(hash(chat_key)) % 10**18)),
            "data": callback_data,
        }
        return self.queue_raw({"callback_query": query}, queue=queue)

    def tap(
        self,
        user_id: int,
        button_text: str,
        *,
        message_id: int | None = None,
        phone_number: str | None = None,
        queue: bool = True,
    ) -> int:
        """Tap a button by its label, like a user would.

        Searches the bot's messages to this user (newest first, or only ``message_id``): an inline
        callback button becomes ``press_button``; a reply-keyboard button sends its text, or shares
        the contact (``phone_number`` required) when it has ``request_contact``.
        """
        chat_key = _chat_key(user_id)
        ids = [message_id] if message_id is not None else list(reversed(self._transcript.get(chat_key, [])))
        seen: list[str] = []
        reply_keyboard_live = True
        for mid in ids:
            stored = self._messages.get((chat_key, mid))
            if stored is None or stored.deleted or not stored.markup:
                continue
            markup = stored.markup
            for button in _inline_buttons(markup):
                seen.append(button.get("text", ""))
                if button.get("text") == button_text:
                    if "callback_data" not in button:
                        msg = f"tap: button {button_text!r} is not a callback button: {button}"
                        raise ValueError(msg)
                    return self.press_button(user_id, button["callback_data"], message_id=mid, queue=queue)
            if markup.get("remove_keyboard"):
                reply_keyboard_live = False
            if "keyboard" in markup and reply_keyboard_live:
                for row in markup["keyboard"]:
                    for raw in row:
                        button = {"text": raw} if isinstance(raw, str) else raw
                        seen.append(button.get("text", ""))
                        if button.get("text") != button_text:
                            continue
                        if button.get("request_contact"):
                            if phone_number is None:
                                msg = f"tap: {button_text!r} requests a contact; pass phone_number="
                                raise ValueError(msg)
                            return self.share_contact(user_id, phone_number, queue=queue)
                        return self.send_text(user_id, button_text, queue=queue)
                reply_keyboard_live = False  # only the newest reply keyboard is on screen
        msg = f"tap: no button {button_text!r} in chat {chat_key}; buttons seen (newest first): {seen}"
        raise LookupError(msg)

    def share_contact(
        self,
        user_id: int,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        own: bool = True,
        queue: bool = True,
    ) -> int:
        """The user shares a contact. ``own=True`` (a ``request_contact`` button) sets contact.user_id."""
        self._remember_user(user_id, None, None, None, None)
        user = self._users[user_id]
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or user["first_name"],
        }
        last = last_name if last_name is not None else user.get("last_name")
        if last:
            contact["last_name"] = last
        if own:
            contact["user_id"] = user_id
        message = self._user_message(user_id, None, {"contact": contact})
        return self.queue_raw({"message": message}, queue=queue)

    def send_photo(
        self,
        user_id: int,
        file_id: str = DEFAULT_PHOTO_FILE_ID,
        caption: str | None = None,
        *,
        content: bytes = FAKE_JPEG,
        queue: bool = True,
    ) -> int:
        """The user sends a photo; ``file_id`` is the largest size, downloadable via ``getFile``."""
        self._remember_user(user_id, None, None, None, None)
        sizes = _photo_sizes(file_id, len(content))
        self._register_file(file_id, content, "photos")
        payload: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            payload["caption"] = caption
        message = self._user_message(user_id, None, payload)
        return self.queue_raw({"message": message}, queue=queue)

    def send_sticker(
        self,
        user_id: int,
        *,
        emoji: str = "👍",
        file_id: str = DEFAULT_STICKER_FILE_ID,
        queue: bool = True,
    ) -> int:
        self._remember_user(user_id, None, None, None, None)
        sticker = {
            "file_id": file_id,
            "file_unique_id": "AgAD" + file_id[-12:],
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "BanggaBeliTest",
            "file_size": 23_456,
        }
        message = self._user_message(user_id, None, {"sticker": sticker})
        return self.queue_raw({"message": message}, queue=queue)

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = 1,
        chat_id: int | str | None = None,
        times: int = 1,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only to ``chat_id``) fail.

        Defaults give Telegram's flood-control answer ``429 Too Many Requests: retry after 1`` with
        ``parameters.retry_after``. ``retry_after`` is only sent with 429 (aiogram checks it before
        the status code). ``description`` defaults to Telegram's text for the code.
        Works for ``getUpdates`` too.
        """
        params: dict[str, Any] = dict(parameters or {})
        if error_code == 429 and retry_after is not None:
            params["retry_after"] = retry_after
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after if retry_after is not None else 1}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        error = FakeAPIError(error_code, description, params or None)
        self._faults.append(_Fault(method.lower(), error, _chat_key(chat_id), times))

    def enforce_rate_limits(self, overall_per_second: float = 30, per_chat_per_second: float = 1) -> None:
        """From now on answer 429 (``retry_after``: 1) like Telegram's flood control when messages come faster
        than ``overall_per_second`` in any one-second window, or faster than ``per_chat_per_second`` to a chat.
        ``rate_limited`` counts those answers."""
        self._limits = (overall_per_second, per_chat_per_second)

    def send_times(self) -> list[_Sent]:
        """With limits enforced: when each accepted message was taken (monotonic seconds), to which chat."""
        return list(self._send_log)

    def _check_rate(self, method: str, params: dict[str, Any]) -> None:
        if self._limits is None or not method.startswith("send") or method == "sendChatAction":
            return
        overall, per_chat = self._limits
        now = time.monotonic()
        while self._sent_at and now - self._sent_at[0] >= 1.0:
            self._sent_at.popleft()
        chat = _chat_key(params.get("chat_id"))
        last = self._chat_sent_at.get(chat) if chat is not None else None
        if len(self._sent_at) >= overall or (last is not None and now - last < 1.0 / per_chat):
            self.rate_limited += 1
            raise FakeAPIError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._sent_at.append(now)
        self._send_log.append(_Sent(now, chat, str(params.get("text") or params.get("caption") or "")))
        if chat is not None:
            self._chat_sent_at[chat] = now

    def block_user(self, chat_id: int, *, notify: bool = False) -> None:
        """From now on calls to this chat answer 403 ``Forbidden: bot was blocked by the user``.

        ``notify=True`` also queues the ``my_chat_member`` update Telegram sends (member -> kicked).
        """
        key = _chat_key(chat_id)
        self._blocked.add(key)
        if notify and isinstance(key, int):
            self._remember_user(key, None, None, None, None)
            self.queue_raw(
                {
                    "my_chat_member": {
                        "chat": self._chat(key),
                        "from": self._user(key),
                        "date": _now(),
                        "old_chat_member": {"status": "member", "user": self._bot_user(BOT_ID)},
                        "new_chat_member": {
                            "status": "kicked",
                            "user": self._bot_user(BOT_ID),
                            "until_date": 0,
                        },
                    }
                }
            )

    def unblock_user(self, chat_id: int) -> None:
        self._blocked.discard(_chat_key(chat_id))

    def stub(self, method: str, result: Any) -> None:
        """Answer ``method`` (e.g. one this fake doesn't implement) with ``result``.

        ``result`` may be a callable ``(params) -> result`` and may raise ``FakeAPIError``.
        """
        self._stubs[method.lower()] = result

    # ------------------------------------------------------------------ inspection

    @property
    def calls(self) -> list[Call]:
        """Every Bot API call except ``getUpdates`` (see ``get_updates_requests``), failed ones included."""
        return [r.call for r in self._records]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Params of the successful calls of ``method``."""
        return [r.call.params for r in self._records if r.call.method == method and r.error is None]

    def messages_to(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Bot messages in this chat, oldest first, as they are now (edits applied, deleted ones left out).

        Each is Telegram's Message JSON (message_id, chat, date, text/caption, photo...), with
        ``reply_markup`` as the bot sent it (any kind, including reply keyboards, which Telegram doesn't echo).
        """
        key = _chat_key(chat_id)
        out = []
        for mid in self._transcript.get(key, []):
            stored = self._messages[(key, mid)]
            if not stored.deleted:
                out.append(stored.view())
        return out

    def texts_to(self, chat_id: int | str) -> list[str]:
        """The text (or caption) of each message in ``messages_to``."""
        return [m.get("text", m.get("caption", "")) for m in self.messages_to(chat_id)]

    def last_message_to(self, chat_id: int | str) -> dict[str, Any]:
        messages = self.messages_to(chat_id)
        if not messages:
            msg = f"no bot messages to chat {chat_id}; calls so far:\n{self._summary()}"
            raise AssertionError(msg)
        return messages[-1]

    def commands(self, *, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """Commands set with ``setMyCommands`` for this scope / language."""
        return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    @property
    def webhook(self) -> _Webhook:
        return self._webhook

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id]

    async def wait_for(
        self,
        what: str | Callable[[str, dict[str, Any]], bool] | Callable[[Call], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the brief asks for this signature
        *,
        include_failed: bool = False,
        **match: Any,
    ) -> Call:
        """Wait (event-driven) for a call matching ``what`` and return it.

        ``what`` is a method name (plus optional ``param=value`` filters, e.g. ``chat_id=1001``) or a
        predicate ``(method, params) -> bool`` (or ``(call) -> bool``). Each returned call is
        *consumed*: waiting twice for "sendMessage" returns two different calls, oldest first.
        Failed calls (injected errors) only match with ``include_failed=True``.
        Raises TimeoutError listing the calls seen so far.
        """
        if isinstance(what, str):
            name = what

            def predicate(method: str, params: dict[str, Any]) -> bool:
                return method == name and all(params.get(k) == v for k, v in match.items())

            label = name + ("" if not match else f" with {match}")
        else:
            if match:
                msg = "param filters only work with a method name"
                raise TypeError(msg)
            predicate = _two_arg_predicate(what)
            label = getattr(what, "__name__", repr(what))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for record in self._records:
                if record.consumed or (record.error is not None and not include_failed):
                    continue
                if predicate(record.call.method, record.call.params):
                    record.consumed = True
                    return record.call
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                msg = f"timed out after {timeout}s waiting for {label}. {self._summary()}"
                raise TimeoutError(msg)
            await self._calls_signal.wait(remaining)

    def clear(self) -> None:
        """Forget recorded calls, failures, handler errors and the ``messages_to`` transcript.

        Chat state (message ids, edits, files), queued updates, faults and blocks are kept, so
        ``press_button`` still works on messages sent before ``clear()``.
        """
        self._records.clear()
        self.failures.clear()
        self.handler_errors.clear()
        self._transcript.clear()
        self.get_updates_requests.clear()
        self.poll_endings.clear()

    # ------------------------------------------------------------------ webhook helper

    async def post_webhook(
        self,
        url: str,
        update: Mapping[str, Any] | int,
        *,
        secret: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - passed to aiohttp's ClientTimeout
    ) -> int:
        """POST an update (dict, or an update_id queued earlier) to a webhook like Telegram does.

        Sends ``X-Telegram-Bot-Api-Secret-Token`` when ``secret`` is given. Returns the HTTP status.
        """
        body = self._history[update] if isinstance(update, int) else dict(update)
        headers = {}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with (
            ClientSession(timeout=ClientTimeout(total=timeout)) as session,
            session.post(url, json=body, headers=headers) as response,
        ):
            await response.read()
            return response.status

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if self.token is not None and token != self.token:
            return _error_response(FakeAPIError(401, "Unauthorized"))
        ctx = _Ctx(token=token, bot_id=_bot_id_from_token(token))
        raw_method = request.match_info["method"]
        method = self._canonical.get(raw_method.lower(), raw_method)
        try:
            params = await _read_params(request)
        except ValueError as exc:
            return _error_response(FakeAPIError(400, f"Bad Request: {exc}"))

        if method == "getUpdates":
            self.get_updates_requests.append(params)
            self._calls_signal.fire()
            try:
                self._check_faults(method, params)
                updates = await self._get_updates(params)
            except FakeAPIError as exc:
                return _error_response(exc)
            return _ok(updates)

        try:
            self._check_faults(method, params)
            self._check_rate(method, params)
            result = self._dispatch(ctx, method, params)
        except FakeAPIError as exc:
            self._record(method, params, exc.payload())
            return _error_response(exc)
        self._record(method, params, None)
        return _ok(result)

    def _dispatch(self, ctx: _Ctx, method: str, params: dict[str, Any]) -> Any:
        stub = self._stubs.get(method.lower())
        if stub is not None:
            return stub(params) if callable(stub) else copy.deepcopy(stub)
        handler = self._handlers.get(method)
        if handler is None:
            raise FakeAPIError(404, "Not Found")
        return handler(ctx, params)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        for file_id, file_path in self._file_paths.items():
            if file_path == path:
                return web.Response(body=self._files[file_id], content_type="application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    def _record(self, method: str, params: dict[str, Any], error: dict[str, Any] | None) -> None:
        self._records.append(_Record(Call(method, params), error))
        if error is not None:
            self.failures.append((method, params, error))
        self._calls_signal.fire()

    def _check_faults(self, method: str, params: dict[str, Any]) -> None:
        chat = _chat_key(params.get("chat_id"))
        for fault in self._faults:
            if fault.method == method.lower() and (fault.chat_id is None or fault.chat_id == chat):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                raise fault.error
        if chat is not None and chat in self._blocked:
            raise FakeAPIError(403, "Forbidden: bot was blocked by the user")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook.url:
            raise FakeAPIError(409, _WEBHOOK_ACTIVE)
        offset = _as_int(params.get("offset"), 0)
        limit = min(max(_as_int(params.get("limit"), 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), 50.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = set(allowed) if allowed else None
        self._confirm(offset)

        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.fire()  # an older poll still waiting gets 409, like Telegram

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        waited = False
        while True:
            if self._closing:
                self.poll_endings.append("closed")
                return []
            if generation != self._poll_generation:
                raise FakeAPIError(409, _POLL_TERMINATED)
            batch = self._take_batch(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                self.poll_endings.append(
                    ("woken" if waited else "ready") if batch else ("timeout" if waited else "empty")
                )
                return batch
            self._parked_polls += 1
            self._calls_signal.fire()
            try:
                await self._updates_signal.wait(remaining)
            finally:
                self._parked_polls -= 1
            waited = True

    async def wait_for_parked_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - like wait_for
        """Wait (event-driven) until a ``getUpdates`` long poll is waiting for updates."""
        async with asyncio.timeout(timeout):
            while not self._parked_polls:
                await self._calls_signal.wait(timeout)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            # Confirmed = delivered earlier with update_id < offset. A re-queued duplicate that was not
            # delivered yet survives even though its (old) update_id is below the offset.
            self._queue = [q for q in self._queue if not (q.delivered and q.update["update_id"] < offset)]
        elif offset < 0:
            self._queue = self._queue[offset:]

    def _take_batch(self, limit: int) -> list[dict[str, Any]]:
        batch: list[_Queued] = []
        for queued in list(self._queue):
            kind = _update_type(queued.update)
            allowed = kind in self._allowed_updates if self._allowed_updates else kind not in _NOT_DEFAULT_UPDATES
            if not allowed:
                self._queue.remove(queued)
                self.dropped_updates.append(queued.update)
                continue
            batch.append(queued)
            if len(batch) >= limit:
                break
        for queued in batch:
            queued.delivered = True
        return [copy.deepcopy(q.update) for q in batch]

    # ------------------------------------------------------------------ Bot API methods

    def _m_get_me(self, ctx: _Ctx, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(ctx.bot_id),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_send_message(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any]:
        chat = _require_chat(p)
        raw = p.get("text")
        if raw is None or str(raw) == "":
            raise FakeAPIError(400, "Bad Request: message text is empty")
        text, entities = _format_text(str(raw), p.get("parse_mode"), p.get("entities"))
        if not text.strip():
            raise FakeAPIError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            raise FakeAPIError(400, "Bad Request: message is too long")
        markup = _check_markup(p.get("reply_markup"))
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._bot_message(ctx, chat, content, markup, p)

    def _m_send_photo(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any]:
        chat = _require_chat(p)
        photo = p.get("photo")
        if isinstance(photo, UploadedFile):
            file_id = self._new_file_id("AgACAgUAAxkDAAI")
            self._register_file(file_id, photo.content, "photos")
            size = len(photo.content)
        elif isinstance(photo, str) and photo:
            file_id, size = photo, self._files.get(photo, FAKE_JPEG).__len__()
        else:
            raise FakeAPIError(400, "Bad Request: there is no photo in the request")
        content: dict[str, Any] = {"photo": _photo_sizes(file_id, size)}
        content.update(self._caption(p))
        return self._bot_message(ctx, chat, content, _check_markup(p.get("reply_markup")), p)

    def _m_send_document(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any]:
        chat = _require_chat(p)
        doc = p.get("document")
        if isinstance(doc, UploadedFile):
            file_id = self._new_file_id("BQACAgUAAxkDAAI")
            self._register_file(file_id, doc.content, "documents")
            document = {
                "file_id": file_id,
                "file_unique_id": "AgAD" + file_id[-10:],
                "file_name": doc.filename,
                "mime_type": doc.content_type or "application/octet-stream",
                "file_size": len(doc.content),
            }
        elif isinstance(doc, str) and doc:
            document = {"file_id": doc, "file_unique_id": "AgAD" + doc[-10:], "file_size": 1024}
        else:
            raise FakeAPIError(400, "Bad Request: there is no document in the request")
        content: dict[str, Any] = {"document": document}
        content.update(self._caption(p))
        return self._bot_message(ctx, chat, content, _check_markup(p.get("reply_markup")), p)

    def _m_edit_message_text(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any] | bool:
        stored = self._editable(p)
        raw = p.get("text")
        if raw is None or str(raw) == "":
            raise FakeAPIError(400, "Bad Request: message text is empty")
        text, entities = _format_text(str(raw), p.get("parse_mode"), p.get("entities"))
        if _utf16_len(text) > 4096:
            raise FakeAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = _check_inline_markup(p.get("reply_markup"))
        if stored is None:
            return True  # inline_message_id
        msg = stored.message
        if "text" not in msg:
            raise FakeAPIError(400, "Bad Request: there is no text in the message to edit")
        if msg["text"] == text and msg.get("entities") == (entities or None) and msg.get("reply_markup") == markup:
            raise FakeAPIError(400, _NOT_MODIFIED)
        msg["text"] = text
        _set_or_pop(msg, "entities", entities or None)
        self._apply_markup(stored, markup)  # no reply_markup => the inline keyboard is removed
        msg["edit_date"] = _now()
        return copy.deepcopy(msg)

    def _m_edit_message_caption(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any] | bool:
        stored = self._editable(p)
        caption = self._caption(p)
        markup = _check_inline_markup(p.get("reply_markup"))
        if stored is None:
            return True
        msg = stored.message
        if not any(k in msg for k in _MEDIA_KEYS):
            raise FakeAPIError(400, "Bad Request: there is no caption in the message to edit")
        if (
            msg.get("caption") == caption.get("caption")
            and msg.get("caption_entities") == caption.get("caption_entities")
            and msg.get("reply_markup") == markup
        ):
            raise FakeAPIError(400, _NOT_MODIFIED)
        _set_or_pop(msg, "caption", caption.get("caption"))
        _set_or_pop(msg, "caption_entities", caption.get("caption_entities"))
        self._apply_markup(stored, markup)
        msg["edit_date"] = _now()
        return copy.deepcopy(msg)

    def _m_edit_message_reply_markup(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any] | bool:
        stored = self._editable(p)
        markup = _check_inline_markup(p.get("reply_markup"))
        if stored is None:
            return True
        if stored.message.get("reply_markup") == markup:
            raise FakeAPIError(400, _NOT_MODIFIED)
        self._apply_markup(stored, markup)
        stored.message["edit_date"] = _now()
        return copy.deepcopy(stored.message)

    def _m_delete_message(self, ctx: _Ctx, p: dict[str, Any]) -> bool:
        chat = _require_chat(p)
        stored = self._messages.get((chat, _as_int(p.get("message_id"), 0)))
        if stored is None or stored.deleted:
            raise FakeAPIError(400, "Bad Request: message to delete not found")
        stored.deleted = True
        return True

    def _m_answer_callback_query(self, ctx: _Ctx, p: dict[str, Any]) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if query_id not in self._open_queries or query_id in self._answered_queries:
            raise FakeAPIError(400, _QUERY_TOO_OLD)
        if len(str(p.get("text") or "")) > 200:
            raise FakeAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answered_queries.add(query_id)
        return True

    def _m_send_chat_action(self, ctx: _Ctx, p: dict[str, Any]) -> bool:
        _require_chat(p)
        if p.get("action") not in _CHAT_ACTIONS:
            raise FakeAPIError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_set_my_commands(self, ctx: _Ctx, p: dict[str, Any]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise FakeAPIError(400, "Bad Request: can't parse commands JSON object")
        for cmd in commands:
            if not isinstance(cmd, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise FakeAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", "")).strip()) <= 256:
                raise FakeAPIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(p.get("scope")), str(p.get("language_code") or ""))
        if commands:
            self._commands[key] = copy.deepcopy(commands)
        else:
            self._commands.pop(key, None)
        return True

    def _m_get_my_commands(self, ctx: _Ctx, p: dict[str, Any]) -> list[dict[str, Any]]:
        key = (_scope_key(p.get("scope")), str(p.get("language_code") or ""))
        return copy.deepcopy(self._commands.get(key, []))

    def _m_delete_my_commands(self, ctx: _Ctx, p: dict[str, Any]) -> bool:
        self._commands.pop((_scope_key(p.get("scope")), str(p.get("language_code") or "")), None)
        return True

    def _m_set_webhook(self, ctx: _Ctx, p: dict[str, Any]) -> bool:
        url = str(p.get("url") or "")
        if not url:
            return self._m_delete_webhook(ctx, p)
        if self.check_webhook_url:
            parts = urlsplit(url)
            if parts.scheme != "https":
                raise FakeAPIError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
            if parts.port not in (None, 80, 88, 443, 8443):
                raise FakeAPIError(
                    400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
                )
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise FakeAPIError(400, "Bad Request: secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self._queue.clear()
        allowed = p.get("allowed_updates")
        self._webhook = _Webhook(
            url=url,
            secret_token=None if secret is None else str(secret),
            max_connections=_as_int(p.get("max_connections"), 40),
            allowed_updates=allowed if isinstance(allowed, list) else None,
            extra={k: v for k, v in p.items() if k in ("ip_address",)},
        )
        self._updates_signal.fire()  # a pending long poll now conflicts
        return True

    def _m_delete_webhook(self, ctx: _Ctx, p: dict[str, Any]) -> bool:
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self._webhook = _Webhook()
        return True

    def _m_get_webhook_info(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self._webhook.url:
            info["max_connections"] = self._webhook.max_connections
            info["ip_address"] = self._webhook.extra.get("ip_address", "127.0.0.1")
            if self._webhook.allowed_updates is not None:
                info["allowed_updates"] = self._webhook.allowed_updates
        return info

    def _m_get_file(self, ctx: _Ctx, p: dict[str, Any]) -> dict[str, Any]:
        file_id = str(p.get("file_id") or "")
        if file_id not in self._files:
            raise FakeAPIError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": "AQAD" + file_id[-10:],
            "file_size": len(self._files[file_id]),
            "file_path": self._file_paths[file_id],
        }

    # ------------------------------------------------------------------ state helpers

    def _editable(self, p: dict[str, Any]) -> _Stored | None:
        if p.get("inline_message_id"):
            return None
        chat = _require_chat(p)
        if p.get("message_id") is None:
            raise FakeAPIError(400, "Bad Request: message identifier is not specified")
        stored = self._messages.get((chat, _as_int(p.get("message_id"), 0)))
        if stored is None or stored.deleted:
            raise FakeAPIError(400, "Bad Request: message to edit not found")
        if not stored.outgoing:
            raise FakeAPIError(400, "Bad Request: message can't be edited")
        return stored

    @staticmethod
    def _apply_markup(stored: _Stored, markup: dict[str, Any] | None) -> None:
        _set_or_pop(stored.message, "reply_markup", copy.deepcopy(markup))
        stored.markup = copy.deepcopy(markup)

    @staticmethod
    def _caption(p: dict[str, Any]) -> dict[str, Any]:
        raw = p.get("caption")
        if raw is None or str(raw) == "":
            return {}
        caption, entities = _format_text(str(raw), p.get("parse_mode"), p.get("caption_entities"))
        if _utf16_len(caption) > 1024:
            raise FakeAPIError(400, "Bad Request: message caption is too long")
        out: dict[str, Any] = {"caption": caption}
        if entities:
            out["caption_entities"] = entities
        return out

    def _bot_message(
        self,
        ctx: _Ctx,
        chat: int | str,
        content: dict[str, Any],
        markup: dict[str, Any] | None,
        p: dict[str, Any],
    ) -> dict[str, Any]:
        mid = self._next_message_id(chat)
        msg: dict[str, Any] = {
            "message_id": mid,
            "from": self._bot_user(ctx.bot_id),
            "chat": self._chat(chat),
            "date": _now(),
            **content,
        }
        reply_to = p.get("reply_parameters")
        reply_id = reply_to.get("message_id") if isinstance(reply_to, dict) else p.get("reply_to_message_id")
        if reply_id is not None and (chat, _as_int(reply_id, 0)) in self._messages:
            original = copy.deepcopy(self._messages[(chat, _as_int(reply_id, 0))].message)
            original.pop("reply_to_message", None)
            msg["reply_to_message"] = original
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = copy.deepcopy(markup)  # Telegram only echoes inline keyboards
        self._messages[(chat, mid)] = _Stored(msg, outgoing=True, markup=copy.deepcopy(markup))
        self._transcript.setdefault(chat, []).append(mid)
        return copy.deepcopy(msg)

    def _user_message(self, user_id: int, chat_id: int | None, content: dict[str, Any]) -> dict[str, Any]:
        chat = _chat_key(user_id if chat_id is None else chat_id)
        mid = self._next_message_id(chat)
        msg = {"message_id": mid, "from": self._user(user_id), "chat": self._chat(chat), "date": _now(), **content}
        self._messages[(chat, mid)] = _Stored(copy.deepcopy(msg), outgoing=False)
        return msg

    def _next_message_id(self, chat: int | str) -> int:
        counter = self._message_ids.setdefault(chat, itertools.count(1))
        return next(counter)

    def _remember_user(
        self,
        user_id: int,
        first_name: str | None,
        language_code: str | None,
        last_name: str | None,
        username: str | None,
    ) -> None:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": "Budi", "language_code": "id"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if last_name is not None:
            _set_or_pop(user, "last_name", last_name or None)
        if username is not None:
            _set_or_pop(user, "username", username or None)
        if language_code is not None:
            _set_or_pop(user, "language_code", language_code or None)

    def _user(self, user_id: int) -> dict[str, Any]:
        self._remember_user(user_id, None, None, None, None)
        return copy.deepcopy(self._users[user_id])

    def _bot_user(self, bot_id: int) -> dict[str, Any]:
        return {"id": bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username}

    def _chat(self, chat: int | str) -> dict[str, Any]:
        if isinstance(chat, str):  # "@channelusername"
            return {"id": -1_001_000_000_000 - (abs(hash(chat)) % 10**9), "title": chat, "type": "channel"}
        if chat < 0:
            kind = "supergroup" if str(chat).startswith("-100") else "group"
            return {"id": chat, "title": "Grup Uji", "type": kind}
        user = self._users.get(chat, {"first_name": "User"})
        out = {"id": chat, "first_name": user["first_name"], "type": "private"}
        for key in ("last_name", "username"):
            if key in user:
                out[key] = user[key]
        return out

    def _new_file_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._file_counter):06d}bangga"

    def _register_file(self, file_id: str, content: bytes, folder: str) -> None:
        self._files[file_id] = content
        ext = "jpg" if folder == "photos" else "bin"
        self._file_paths.setdefault(file_id, f"{folder}/file_{len(self._file_paths)}.{ext}")

    def _summary(self) -> str:
        lines = [f"Calls seen so far ({len(self._records)}):"]
        for n, rec in enumerate(self._records, 1):
            shown = ", ".join(f"{k}={_short(v)}" for k, v in rec.call.params.items())
            flags = (" [consumed]" if rec.consumed else "") + (
                f" -> {rec.error['error_code']} {rec.error['description']}" if rec.error else ""
            )
            lines.append(f"  {n}. {rec.call.method}({shown}){flags}")
        lines.append(
            f"getUpdates requests: {len(self.get_updates_requests)}; pending updates: "
            f"{[q.update['update_id'] for q in self._queue]}"
        )
        if self.dropped_updates:
            lines.append(f"dropped by allowed_updates: {[u['update_id'] for u in self.dropped_updates]}")
        if self.handler_errors:
            lines.append("aiogram handler errors:\n  " + "\n  ".join(self.handler_errors))
        return "\n".join(lines)


# ---------------------------------------------------------------------- helpers


def _now() -> int:
    return int(time.time())


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error_response(error: FakeAPIError) -> web.Response:
    return web.json_response(error.payload(), status=error.error_code)


def _bot_id_from_token(token: str) -> int:
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else BOT_ID


def _chat_key(chat_id: Any) -> Any:
    if chat_id is None or isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _require_chat(p: dict[str, Any]) -> int | str:
    chat = _chat_key(p.get("chat_id"))
    if chat is None or chat == "":
        raise FakeAPIError(400, "Bad Request: chat_id is empty")
    return chat


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FakeAPIError(400, f"Bad Request: can't parse integer {value!r}") from None


def _set_or_pop(d: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        d.pop(key, None)
    else:
        d[key] = value


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _two_arg_predicate(fn: Callable[..., bool]) -> Callable[[str, dict[str, Any]], bool]:
    try:
        positional = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        ]
    except (TypeError, ValueError):
        return fn
    if len(positional) == 1 and positional[0].kind != positional[0].VAR_POSITIONAL:
        return lambda method, params: fn(Call(method, params))
    return fn


def _update_type(update: Mapping[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _scope_key(scope: Any) -> str:
    if not scope:
        return json.dumps({"type": "default"})
    return json.dumps(scope, sort_keys=True)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _photo_sizes(file_id: str, size: int) -> list[dict[str, Any]]:
    dims = [(90, 67, "s"), (320, 240, "m"), (800, 600, "x"), (1280, 960, "y")]
    sizes = []
    for n, (w, h, tag) in enumerate(dims):
        largest = n == len(dims) - 1
        sizes.append(
            {
                "file_id": file_id if largest else f"{file_id}_{tag}",
                "file_unique_id": f"AQAD{file_id[-8:]}{tag}",
                "file_size": size if largest else max(size // (4 - n) // 4, 1),
                "width": w,
                "height": h,
            }
        )
    return sizes


def _inline_buttons(markup: Any) -> Iterator[dict[str, Any]]:
    if isinstance(markup, dict):
        for row in markup.get("inline_keyboard") or []:
            yield from row


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in request.query.items():
        params[key] = _decode_param(key, value)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError as exc:
            msg = "can't parse JSON request body"
            raise ValueError(msg) from exc
        if not isinstance(body, dict):
            msg = "request body must be a JSON object"
            raise ValueError(msg)
        params.update(body)
        return params
    form = await request.post()
    files: dict[str, UploadedFile] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
        elif isinstance(value, bytes | bytearray):
            params[key] = bytes(value)
        else:
            params[key] = _decode_param(key, value)
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            params[key] = files.pop(value[9:])
    for key, upload in files.items():  # a file sent directly under the parameter name
        params.setdefault(key, upload)
    return params


def _decode_param(key: str, value: str) -> Any:
    """aiogram JSON-encodes every non-string value; plain string fields are sent raw."""
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


def _check_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise FakeAPIError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _check_inline_markup(markup)
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise FakeAPIError(400, "Bad Request: can't parse keyboard JSON object")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not text:
                    raise FakeAPIError(400, "Bad Request: keyboard button text is empty")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise FakeAPIError(400, "Bad Request: can't parse reply keyboard markup JSON object")


def _check_inline_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        raise FakeAPIError(400, "Bad Request: inline keyboard expected")
    for row in markup["inline_keyboard"]:
        if not isinstance(row, list):
            raise FakeAPIError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton expected")
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise FakeAPIError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
            actions = [k for k in _INLINE_BUTTON_ACTIONS if k in button]
            if len(actions) != 1:
                raise FakeAPIError(400, _TEXT_BUTTONS_UNALLOWED)
            if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
                raise FakeAPIError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


# ---------------------------------------------------------------------- text formatting


def _format_text(raw: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    """Return (text, entities) as Telegram stores them after parsing."""
    mode = str(parse_mode or "").lower()
    if mode == "html":
        return _parse_html(raw)
    if mode == "markdownv2":
        return _parse_markdown_v2(raw)
    return raw, list(entities) if isinstance(entities, list) else []


def _parse_error(detail: str) -> FakeAPIError:
    return FakeAPIError(400, f"Bad Request: can't parse entities: {detail}")


_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_HTML_ATTR_RE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HTML_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    pos = 0  # UTF-16 offset in the output text
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(src):
        lt = src.find("<", i)
        chunk = src[i:] if lt < 0 else src[i:lt]
        if chunk:
            text = html.unescape(chunk)
            out.append(text)
            pos += _utf16_len(text)
        if lt < 0:
            break
        byte_offset = len(src[:lt].encode())
        match = _HTML_TAG_RE.match(src, lt)
        if match is None:
            raise _parse_error(f"Can't find end of the tag starting at byte offset {byte_offset}")
        closing, name = match.group(1) == "/", match.group(2).lower()
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _HTML_ATTR_RE.finditer(match.group(3))
        }
        if name not in _HTML_TYPES or (name == "span" and not closing and attrs.get("class") != "tg-spoiler"):
            kind = "end" if closing else "start"
            raise _parse_error(f'Unsupported {kind} tag "{name}" at byte offset {byte_offset}')
        if closing:
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {byte_offset}")
            open_name, start, open_attrs = stack.pop()
            if open_name != name:
                raise _parse_error(f'Can\'t find end tag corresponding to start tag "{open_name}"')
            if pos > start:
                entity: dict[str, Any] = {"offset": start, "length": pos - start, "type": _HTML_TYPES[name]}
                if name == "a":
                    entity["url"] = open_attrs.get("href", "")
                elif name == "pre" and "language" in open_attrs:
                    entity["language"] = open_attrs["language"]
                elif name == "blockquote" and "expandable" in open_attrs:
                    entity["type"] = "expandable_blockquote"
                elif name == "tg-emoji":
                    entity["custom_emoji_id"] = open_attrs.get("emoji-id", "")
                entities.append(entity)
        else:
            if "expandable" in match.group(3).split():
                attrs["expandable"] = ""
            stack.append((name, pos, attrs))
        i = match.end()
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    pos = 0
    stack: list[tuple[str, int, int]] = []  # (type, utf16 start, byte offset of the marker)
    entities: list[dict[str, Any]] = []
    n = len(src)

    def byte_offset(k: int) -> int:
        return len(src[:k].encode())

    def emit(text: str) -> None:
        nonlocal pos
        out.append(text)
        pos += _utf16_len(text)

    def toggle(kind: str, k: int) -> None:
        if stack and stack[-1][0] == kind:
            _, start, _ = stack.pop()
            if pos > start:
                entities.append({"offset": start, "length": pos - start, "type": kind})
        elif any(s[0] == kind for s in stack):
            open_kind, _, at = stack[-1]
            raise _parse_error(f"Can't find end of {_MDV2_NAMES.get(open_kind, open_kind)} entity at byte offset {at}")
        else:
            stack.append((kind, pos, byte_offset(k)))

    i = 0
    while i < n:
        c = src[i]
        if c == "\\":
            if i + 1 < n and ord(src[i + 1]) <= 126:
                emit(src[i + 1])
                i += 2
                continue
            raise _parse_error("Character '\\' is reserved and must be escaped with the preceding '\\'")
        if c == "`":
            delim = "```" if src.startswith("```", i) else "`"
            j = i + len(delim)
            buf: list[str] = []
            while j < n and not src.startswith(delim, j):
                if src[j] == "\\" and j + 1 < n:
                    buf.append(src[j + 1])
                    j += 2
                else:
                    buf.append(src[j])
                    j += 1
            if j >= n:
                kind_name = "Pre" if delim == "```" else "Code"
                raise _parse_error(f"Can't find end of {kind_name} entity at byte offset {byte_offset(i)}")
            content = "".join(buf)
            entity: dict[str, Any] = {"type": "pre" if delim == "```" else "code"}
            if delim == "```" and "\n" in content:
                first, rest = content.split("\n", 1)
                if first and not any(ch.isspace() for ch in first):
                    entity["language"] = first
                    content = rest
            start = pos
            emit(content)
            if pos > start:
                entities.append({"offset": start, "length": pos - start, **entity})
            i = j + len(delim)
            continue
        if c == "[":
            stack.append(("text_link", pos, byte_offset(i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "text_link" and src.startswith("(", i + 1):
            j = i + 2
            url: list[str] = []
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    url.append(src[j + 1])
                    j += 2
                else:
                    url.append(src[j])
                    j += 1
            if j >= n:
                raise _parse_error(f"Can't find end of a URL at byte offset {byte_offset(i + 1)}")
            _, start, _ = stack.pop()
            if pos > start:
                entities.append({"offset": start, "length": pos - start, "type": "text_link", "url": "".join(url)})
            i = j + 1
            continue
        if c == "*":
            toggle("bold", i)
            i += 1
            continue
        if c == "~":
            toggle("strikethrough", i)
            i += 1
            continue
        if c == "_":
            if src.startswith("__", i):
                toggle("underline", i)
                i += 2
            else:
                toggle("italic", i)
                i += 1
            continue
        if c == "|" and src.startswith("||", i):
            toggle("spoiler", i)
            i += 2
            continue
        if c == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # block quote marker (entity not modelled)
            continue
        if c in _MDV2_RESERVED:
            raise _parse_error(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        emit(c)
        i += 1
    if stack:
        kind, _, at = stack[-1]
        raise _parse_error(f"Can't find end of {_MDV2_NAMES.get(kind, kind)} entity at byte offset {at}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
