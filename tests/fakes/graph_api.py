"""A local fake of the WhatsApp Cloud API (Graph API), served over real HTTP on 127.0.0.1.

Tests point WHATSAPP_API_BASE at `base_url`. It takes `POST /{version}/{phone_number_id}/messages` with a
Bearer token, checks each body against the Cloud API's limits (3 reply buttons with titles of at most 20,
10 list rows with titles of at most 24 and descriptions of at most 72, 4096 characters of text, 1024 of an
interactive body or a caption) and answers `{"messages": [{"id": "wamid..."}]}`, or Meta's error JSON for:

* `fail(address, code)`: every send to that address (a `to` number or a `recipient` id) is refused with code;
* `throttle(n)`: the next n sends get 130429 (throughput limit).

Media: `add_media(id, bytes)` is a picture a user sent (`GET /{version}/{id}` gives its `url`, `GET url` with the
token its bytes; an unknown id is 404); `POST /{version}/{phone_number_id}/media` takes an upload (`uploads`).

`sent` lists every accepted call: `Sent(address, body, wamid)`.

It also builds what Meta would post to our webhook: `message(kind, ...)` from the real-shaped fixtures in
tests/fixtures/whatsapp/, signed with `sign`.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"
PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAG-test-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "verify-me-123"


@dataclass(frozen=True)
class Sent:
    """One message the bot sent."""

    address: str
    body: dict[str, Any]
    wamid: str

    @property
    def type(self) -> str:
        return str(self.body.get("type"))

    @property
    def kind(self) -> str:
        """text, image, template, or interactive's button / list."""
        return str(self.body["interactive"]["type"]) if self.type == "interactive" else self.type

    @property
    def text(self) -> str:
        """What the person reads first: the text, the caption or the interactive body."""
        if self.type == "text":
            return str(self.body["text"]["body"])
        if self.type == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        if self.type == "image":
            return str(self.body["image"].get("caption", ""))
        return ""

    def options(self) -> list[tuple[str, str]]:
        """(title, id) of the buttons or list rows."""
        if self.type != "interactive":
            return []
        action = self.body["interactive"]["action"]
        if "buttons" in action:
            return [(b["reply"]["title"], b["reply"]["id"]) for b in action["buttons"]]
        return [(r["title"], r["id"]) for s in action["sections"] for r in s["rows"]]


def _limits_problem(body: dict[str, Any]) -> str | None:
    kind = body.get("type")
    if kind == "text":
        return "text too long" if len(body["text"]["body"]) > 4096 else None
    if kind == "image":
        return "caption too long" if len(body["image"].get("caption", "")) > 1024 else None
    if kind == "interactive":
        interactive = body["interactive"]
        if len(interactive["body"]["text"]) > 1024 or not interactive["body"]["text"]:
            return "bad interactive body"
        action = interactive["action"]
        if interactive["type"] == "button":
            buttons = action["buttons"]
            if not 1 <= len(buttons) <= 3 or any(len(b["reply"]["title"]) > 20 for b in buttons):
                return "bad buttons"
            return None
        rows = [r for s in action["sections"] for r in s["rows"]]
        if not 1 <= len(rows) <= 10 or len(action["button"]) > 20:
            return "bad list"
        if any(len(r["title"]) > 24 or len(r.get("description", "")) > 72 for r in rows):
            return "bad list row"
        return None
    if kind == "template":
        return None if body["template"].get("name") else "no template name"
    return f"unknown type {kind}"


class FakeGraphAPI:
    """The fake server; use as `async with FakeGraphAPI() as graph:`."""

    def __init__(self) -> None:
        self.media: dict[str, tuple[bytes, str]] = {}  # media id -> (bytes, type): what users sent, and uploads
        self.announced_sizes: dict[str, int] = {}
        self.uploads: list[str] = []
        self.sent: list[Sent] = []
        self.refused: list[tuple[str, int]] = []
        self._failures: dict[str, int] = {}
        self._throttle = 0
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def fail(self, address: str, code: int) -> None:
        """Refuse every send to `address` with Meta's error `code`."""
        self._failures[address] = code

    def throttle(self, times: int) -> None:
        """Refuse the next `times` sends with 130429."""
        self._throttle = times

    def add_media(
        self, media_id: str, data: bytes, mime_type: str = "image/jpeg", announced: int | None = None
    ) -> None:
        """A picture a user sent, served at `GET /{version}/{media_id}` -> url -> bytes (`announced`: the
        `file_size` the info claims, when it should differ from the real size)."""
        self.media[media_id] = (data, mime_type)
        if announced is not None:
            self.announced_sizes[media_id] = announced

    def to(self, address: str) -> list[Sent]:
        """Everything sent to one address."""
        return [s for s in self.sent if s.address == address]

    async def _messages(self, request: web.Request) -> web.Response:
        if request.match_info["phone_id"] != PHONE_NUMBER_ID or request.headers.get("Authorization") != (
            f"Bearer {TOKEN}"
        ):
            return _error(401, 190, "Invalid OAuth access token")
        body = await request.json()
        address = str(body.get("to") or body.get("recipient") or "")
        if body.get("messaging_product") != "whatsapp" or not address:
            return _error(400, 100, "Invalid parameter")
        if self._throttle > 0:
            self._throttle -= 1
            self.refused.append((address, 130429))
            return _error(400, 130429, "Rate limit hit")
        if (code := self._failures.get(address)) is not None:
            self.refused.append((address, code))
            return _error(400, code, "refused by the fake")
        problem = _limits_problem(body)
        if problem is not None:
            self.refused.append((address, 131009))
            return _error(400, 131009, f"Parameter value is not valid: {problem}")
        wamid = f"wamid.FAKE{next(self._ids):06d}"
        self.sent.append(Sent(address, body, wamid))
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [{"input": address}], "messages": [{"id": wamid}]}
        )

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    async def _media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token")
        if media_id not in self.media:
            return _error(404, 100, "Unsupported get request: media not found")
        data, mime_type = self.media[media_id]
        info = {
            "messaging_product": "whatsapp",
            "url": f"{self.base_url}/whatsapp_business/attachments/?mid={media_id}",
            "mime_type": mime_type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "file_size": self.announced_sizes.get(media_id, len(data)),
            "id": media_id,
        }
        return web.json_response(info)

    async def _media_bytes(self, request: web.Request) -> web.Response:
        media_id = request.query.get("mid", "")
        if not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token")
        if media_id not in self.media:
            return web.Response(status=404)
        data, mime_type = self.media[media_id]
        return web.Response(body=data, content_type=mime_type)

    async def _upload(self, request: web.Request) -> web.Response:
        if request.match_info["phone_id"] != PHONE_NUMBER_ID or not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token")
        form = await request.post()
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp" or not isinstance(upload, web.FileField):
            return _error(400, 100, "Invalid parameter")
        media_id = f"{next(self._ids) + 900_000_000_000}"
        self.media[media_id] = (upload.file.read(), str(form.get("type") or upload.content_type))
        self.uploads.append(media_id)
        return web.json_response({"id": media_id})

    def routes(self, app: web.Application) -> None:
        """Serve messages, media info, media bytes and uploads on `app`."""
        app.router.add_post("/{version}/{phone_id}/messages", self._messages)
        app.router.add_post("/{version}/{phone_id}/media", self._upload)
        app.router.add_get("/whatsapp_business/attachments/", self._media_bytes)
        app.router.add_get("/{version}/{media_id}", self._media_info)

    async def __aenter__(self) -> FakeGraphAPI:
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def _error(status: int, code: int, message: str) -> web.Response:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    return web.json_response({"error": error}, status=status)


# ---- what Meta posts to the webhook ------------------------------------------------------------------------

_serial = itertools.count(1)


def fixture(name: str) -> dict[str, Any]:
    """A real-shaped webhook payload from tests/fixtures/whatsapp/<name>.json."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header Meta sends."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def message(
    kind: str = "text",
    *,
    user_id: str = "ID.1234567890123456",
    wa_id: str | None = "6281234567890",
    text: str | None = None,
    payload: str | None = None,
    wamid: str | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    """A webhook payload of one message from the fixture of that kind, for this sender, with a fresh wamid."""
    doc = copy.deepcopy(fixture(kind))
    value = doc["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = phone_number_id
    contact, msg = value["contacts"][0], value["messages"][0]
    contact["user_id"] = msg["from_user_id"] = user_id
    if wa_id is None:
        contact.pop("wa_id", None)
        msg.pop("from", None)
    else:
        contact["wa_id"] = msg["from"] = wa_id
    msg["id"] = wamid or f"wamid.TEST{next(_serial):08d}"
    if text is not None:
        msg["text"]["body"] = text
    if payload is not None:
        reply = msg["interactive"]
        reply[reply["type"]]["id"] = payload
    return doc


def receipt(wamid: str, status: str = "delivered", code: int | None = None) -> dict[str, Any]:
    """A status callback for a message the bot sent."""
    doc = copy.deepcopy(fixture("status_failed" if status == "failed" else "status_delivered"))
    entry = doc["entry"][0]["changes"][0]["value"]["statuses"][0]
    entry["id"], entry["status"] = wamid, status
    if code is not None:
        entry["errors"][0]["code"] = code
    return doc


async def _serve(port: int) -> None:
    """Serve the fake on `port` until Ctrl-C, printing every message the bot sends (docs/whatsapp.md)."""
    import asyncio

    fake = FakeGraphAPI()
    fake.base_url = f"http://127.0.0.1:{port}"
    app = web.Application()
    fake.routes(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"fake Graph API on http://127.0.0.1:{port} (token {TOKEN}, phone number id {PHONE_NUMBER_ID})")
    shown = 0
    try:
        while True:
            await asyncio.sleep(0.2)
            for sent in fake.sent[shown:]:
                print(f"-> {sent.address} [{sent.kind}] {sent.text} {sent.options() or ''}", flush=True)
            shown = len(fake.sent)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    import asyncio
    import contextlib
    import sys

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8082))
