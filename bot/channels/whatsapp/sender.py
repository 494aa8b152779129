"""The one place that calls the Graph API on the way out: pacing, retries, and error codes made meaningful.

Direct aiohttp, not pywa's client: the base URL comes from settings (WHATSAPP_API_BASE; tests point it at a
local fake), the app already runs on aiohttp (no second HTTP stack), and the limits that matter (button
counts, the 24-hour window, the tier's cap) are enforced in our renderer and channel, which pywa leaves open.

* Pacing (aiolimiter): WHATSAPP_RATE messages a second for the number, evenly spaced.
* 130429 (throughput limit hit): every send of this number pauses (growing pause), then the send is tried
  again, a bounded number of times.
* Network errors and Graph 5xx: bounded exponential backoff, then `GraphUnavailable`.
* Any other refusal is raised as `GraphError` with Meta's code; the channel maps it to an outbox status
  (131047 outside the window, 131026 undeliverable, 131056 too many messages to one person...).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter

logger = logging.getLogger(__name__)

RATE_LIMIT_HIT = 130429
OUTSIDE_WINDOW = 131047
UNDELIVERABLE = 131026
PAIR_RATE_LIMIT = 131056


class GraphError(Exception):
    """The Graph API refused a request: Meta's error code, the HTTP status and its message."""

    def __init__(self, code: int, status: int, message: str) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.code = code
        self.status = status
        self.message = message


class GraphUnavailable(Exception):
    """The Graph API could not be reached (network, 5xx, throttling that did not end): try later."""


@dataclass(frozen=True)
class GraphLimits:
    """How fast and how stubbornly to send. `per_second=None` switches pacing off (tests, benchmarks)."""

    per_second: float | None = 20.0
    throttle_attempts: int = 4
    network_attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    @classmethod
    def unpaced(cls) -> GraphLimits:
        """No pacing, same retries: for a local fake Graph API."""
        return cls(per_second=None)


class GraphSender:
    """Sends message bodies for one phone number id."""

    def __init__(
        self, base_url: str, version: str, phone_number_id: str, token: str, limits: GraphLimits | None = None
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/{version.strip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self.limits = limits or GraphLimits()
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # how it waits before a retry
        rate = self.limits.per_second
        self._limiter = AsyncLimiter(1, 1 / rate) if rate else None
        self._resume = asyncio.Event()
        self._resume.set()
        self._session: aiohttp.ClientSession | None = None
        self.pauses = 0

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()

    async def send(self, address: dict[str, str], body: dict[str, Any]) -> str:
        """Send one message to `address` (`{"to": wa_id}` or `{"recipient": user id}`); its `wamid`."""
        document = {"messaging_product": "whatsapp", "recipient_type": "individual", **address, **body}
        throttled = failures = 0
        while True:
            await self._resume.wait()
            if self._limiter is not None:
                await self._limiter.acquire()
            try:
                return await self._post(document)
            except GraphError as err:
                if err.code != RATE_LIMIT_HIT:
                    raise
                throttled += 1
                if throttled >= self.limits.throttle_attempts:
                    raise GraphUnavailable(str(err)) from err
                await self._pause(min(self.limits.backoff_base * 2**throttled, self.limits.backoff_cap))
            except (aiohttp.ClientError, TimeoutError, GraphUnavailable) as err:
                failures += 1
                if failures >= self.limits.network_attempts:
                    raise GraphUnavailable(str(err)) from err
                delay = min(self.limits.backoff_base * 2 ** (failures - 1), self.limits.backoff_cap)
                logger.warning("whatsapp send failed (%s), retrying in %.1f s", err, delay)
                await self.sleep(delay)

    async def _post(self, document: dict[str, Any]) -> str:
        async with self._http().post(self.url, json=document, headers=self._headers) as response:
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = {}
            if response.status >= 500:
                raise GraphUnavailable(f"HTTP {response.status}")
            if response.status >= 400 or "error" in answer:
                error = answer.get("error") or {}
                raise GraphError(int(error.get("code") or 0), response.status, str(error.get("message") or ""))
            messages = answer.get("messages") or [{}]
            return str(messages[0].get("id") or "")

    async def _pause(self, seconds: float) -> None:
        """Hold every send of this number for `seconds` (Meta's throughput limit), not only the refused one."""
        self.pauses += 1
        logger.warning("whatsapp throughput limit hit: pausing all sends for %.1f s", seconds)
        self._resume.clear()
        try:
            await self.sleep(seconds)
        finally:
            self._resume.set()
