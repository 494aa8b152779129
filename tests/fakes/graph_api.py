"""A local fake of the WhatsApp Cloud API (Graph API), served over real HTTP on 127.0.0.1.

Tests point WHATSAPP_API_BASE at `base_url`. It takes `POST /{version}/{phone_number_id}/messages` with a
Bearer token, checks each body against the Cloud API's limits (3 reply buttons with titles of at most 20,
10 list rows with titles of at most 24 and descriptions of at most 72, 4096 characters of text, 1024 of an
interactive body or a caption) and answers `{"messages": [{"id": "wamid..."}]}`, or Meta's error JSON for:

* `fail(address, code)`: every send to that address (a `to` number or a `recipient` id) is refused with code;
* `throttle(n)`: the next n sends get 130429 (throughput limit).

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

    async def __aenter__(self) -> FakeGraphAPI:
        app = web.Application()
        app.router.add_post("/{version}/{phone_id}/messages", self._messages)
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
    app = web.Application()
    app.router.add_post("/{version}/{phone_id}/messages", fake._messages)
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
