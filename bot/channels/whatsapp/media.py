"""Pictures over the Graph API: download what a user sent, upload what the bot shows again.

* Download (`fetch`): `GET /{version}/{media-id}` gives a short-lived `url` (and `mime_type`, `file_size`);
  `GET url` with the same bearer token gives the bytes. Only JPEG and PNG up to 5 MB are taken; a bigger
  picture is refused before it is read (its announced size) or while it is read (its real size).
* Upload (`upload`): `POST /{version}/{phone-number-id}/media` (multipart) gives the id an image message uses.
* `Pictures`: before an update is handled its picture is fetched and stored (bot/services/media.py), and the
  update carries `media:<id>`; a kept picture shown again is uploaded (its id reused for 29 days).

Errors: `MediaTooLarge`, `MediaUnavailable` (gone, refused, not a picture, or the network failed twice).
"""

from __future__ import annotations

import dataclasses
import logging

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.whatsapp.inbound import PHOTO_PREFIX
from bot.core.messages import Inbound
from bot.services import media
from bot.services.media import IMAGE_TYPES, MAX_BYTES

logger = logging.getLogger(__name__)


async def read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The stream's bytes up to `limit` (a read returns one chunk, not all that is there: keep reading)."""
    data = bytearray()
    while len(data) < limit:
        chunk = await stream.read(limit - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


class MediaTooLarge(Exception):
    """The picture is bigger than WhatsApp lets the bot send on (5 MB)."""


class MediaUnavailable(Exception):
    """The picture could not be fetched (expired, refused, not a JPEG/PNG, network)."""


class GraphMedia:
    """Downloads and uploads pictures for one phone number id."""

    def __init__(self, base_url: str, version: str, phone_number_id: str, token: str, attempts: int = 2) -> None:
        self.root = f"{base_url.rstrip('/')}/{version.strip('/')}"
        self.phone_number_id = phone_number_id
        self._headers = {"Authorization": f"Bearer {token}"}
        self.attempts = attempts
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()

    async def fetch(self, media_id: str) -> tuple[bytes, str]:
        """The bytes and type of a picture a user sent."""
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._fetch(media_id)
            except (aiohttp.ClientError, TimeoutError) as err:
                logger.warning("whatsapp media download failed (try %s): %s", attempt, err)
        raise MediaUnavailable("network")

    async def _fetch(self, media_id: str) -> tuple[bytes, str]:
        async with self._http().get(f"{self.root}/{media_id}", headers=self._headers) as response:
            info = await response.json(content_type=None) if response.status < 500 else {}
            if response.status >= 400 or not isinstance(info, dict) or not info.get("url"):
                raise MediaUnavailable(f"media info: HTTP {response.status}")
        content_type = str(info.get("mime_type") or "").split(";")[0].strip().lower()
        if content_type not in IMAGE_TYPES:
            raise MediaUnavailable(f"not a picture: {content_type}")
        if int(info.get("file_size") or 0) > MAX_BYTES:
            raise MediaTooLarge()
        async with self._http().get(str(info["url"]), headers=self._headers) as response:
            if response.status >= 400:
                raise MediaUnavailable(f"media download: HTTP {response.status}")
            data = await read_at_most(response.content, MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise MediaTooLarge()
        if not data:
            raise MediaUnavailable("empty")
        return data, content_type

    async def upload(self, data: bytes, content_type: str) -> str:
        """Upload a picture for sending; WhatsApp's media id. Raises MediaUnavailable when refused."""
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", content_type)
        form.add_field(
            "file",
            data,
            filename="photo.jpg" if content_type == "image/jpeg" else "photo.png",
            content_type=content_type,
        )
        try:
            async with self._http().post(
                f"{self.root}/{self.phone_number_id}/media", data=form, headers=self._headers
            ) as response:
                answer = await response.json(content_type=None)
                if response.status >= 400 or not isinstance(answer, dict) or not answer.get("id"):
                    raise MediaUnavailable(f"upload: HTTP {response.status}")
                return str(answer["id"])
        except (aiohttp.ClientError, TimeoutError) as err:
            raise MediaUnavailable(f"upload: {err}") from err


class Pictures:
    """What the channel does with pictures: keep what users send, show kept pictures again."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], graph: GraphMedia) -> None:
        self.sessions = sessions
        self.graph = graph

    async def prepare(self, inbound: Inbound) -> Inbound:
        """Fetch the picture an update carries and keep it (`media:<id>`: like a Telegram file id, it can be
        shown again later); when that fails, say why (`media_error`), losing nothing else (the caption stays,
        a form still waits for its picture)."""
        if not inbound.photo_ref or not inbound.photo_ref.startswith(PHOTO_PREFIX):
            return inbound
        try:
            data, content_type = await self.graph.fetch(inbound.photo_ref[len(PHOTO_PREFIX) :])
        except MediaTooLarge:
            return dataclasses.replace(inbound, photo_ref=None, media_error="whatsapp.photo_too_large")
        except MediaUnavailable as err:
            logger.warning("could not fetch a whatsapp picture: %s", err)
            return dataclasses.replace(inbound, photo_ref=None, media_error="whatsapp.photo_unavailable")
        async with self.sessions() as session, session.begin():
            ref = await media.store(session, data, content_type)
        return dataclasses.replace(inbound, photo_ref=ref)

    async def uploaded(self, ref: str | None) -> str | None:
        """A kept picture as a WhatsApp photo ref (uploaded at most once a month); None when it cannot be shown."""
        async with self.sessions() as session:
            stored = await media.load(session, ref)
        if stored is None:
            return None
        known = media.platform_id(stored)
        if known is None:
            try:
                known = await self.graph.upload(stored.data, stored.content_type)
            except MediaUnavailable as err:
                logger.warning("could not upload picture %s to whatsapp: %s", stored.id, err)
                return None
            async with self.sessions() as session, session.begin():
                await media.remember_upload(session, stored.id, known)
        return PHOTO_PREFIX + known
