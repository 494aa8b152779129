"""The Bot API session: aiogram's aiohttp session, sending JSON and reading answers only as far as needed.

* Requests go as `application/json` (the Bot API takes JSON for every method except file uploads); a
  method that uploads a file goes as multipart form data, exactly as aiogram sends it. The values are
  prepared by aiogram's own `prepare_value` (defaults resolved, unset ones left out), then dumped once,
  instead of aiogram's form where every nested object is dumped to a string and the whole form is
  URL-encoded (about half the CPU of building a request).
* `make_request` (what `bot(method)` runs: getUpdates, getMe...) parses the answer into the method's result
  type, as aiogram does. `post` is for sends whose result the bot never reads (messages, edits, answers to
  button presses): it checks `ok` and leaves the result unparsed; parsing a `Message` with its keyboard into
  pydantic objects was the costliest part of a send. An error answer goes through aiogram's own
  `check_response`, so a refused call raises exactly the exception `bot(method)` raises
  (`TelegramRetryAfter`, `TelegramForbiddenError`, `TelegramBadRequest`...), and a timeout or a connection
  error raises `TelegramNetworkError` as aiogram's session does.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import ClientError

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import InputFile

_JSON_HEADERS = {"Content-Type": "application/json"}


class BotSession(AiohttpSession):
    """aiogram's aiohttp session, posting JSON bodies; `post` sends without parsing the result."""

    # aiogram parses each answer as `Response[<method's result type>]`; pydantic keeps such a parametrised
    # class only weakly, so it is collected and built again (about 30 ms each time). Held here, each is
    # built once.
    _answer_types: ClassVar[dict[Any, Any]] = {}

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The method's parameters as a JSON body, or None when it uploads a file (that needs a form).

        Same values as aiogram's form: each prepared by `prepare_value`, and None or "" left out.
        """
        files: dict[str, InputFile] = {}
        body: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                continue
            body[key] = prepared
        if files:
            return None
        return cast(str, self.json_dumps(body)).encode()

    async def _exchange(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None) -> tuple[int, str]:  # noqa: ASYNC109
        """POST the method; the answer's status and text."""
        body = self.json_body(bot, method)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        if body is None:
            data: Any = self.build_form_data(bot=bot, method=method)
            headers = None
        else:
            data, headers = body, _JSON_HEADERS
        try:
            async with session.post(
                url, data=data, headers=headers, timeout=self.timeout if timeout is None else timeout
            ) as resp:
                return resp.status, await resp.text()
        except TimeoutError as err:
            raise TelegramNetworkError(method=method, message="Request timeout error") from err
        except ClientError as err:
            raise TelegramNetworkError(method=method, message=f"{type(err).__name__}: {err}") from err

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's session signature
    ) -> TelegramType:
        """aiogram's contract: the method's result, parsed (or the exception for an error answer)."""
        status, content = await self._exchange(bot, method, timeout)
        response = self.check_response(bot=bot, method=method, status_code=status, content=content)
        return cast(TelegramType, response.result)

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        """aiogram's check, with the answer's type built once per result type."""
        returning = method.__returning__
        if returning not in self._answer_types:
            self._answer_types[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)

    async def post(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - like aiogram's session
    ) -> None:
        """Send a method whose result is not needed: returns when Telegram answered ok, else raises like
        `bot(method)`. Request middlewares run as for `bot(method)`."""
        if self.middleware:
            await self.middleware.wrap_middlewares(self._post, timeout=timeout)(bot, method)
        else:
            await self._post(bot, method, timeout)

    async def _post(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - like aiogram's session
    ) -> None:
        status, content = await self._exchange(bot, method, timeout)
        if HTTPStatus.OK <= status <= HTTPStatus.IM_USED:
            try:
                answer = self.json_loads(content)
            except ValueError:
                answer = None  # aiogram's check below raises its ClientDecodeError
            if isinstance(answer, dict) and answer.get("ok") is True:
                return
        self.check_response(bot=bot, method=method, status_code=status, content=content)
