"""Console channel: a terminal chat on the same dispatcher as every other channel.

Each input line is one message, handled as soon as it arrives; its replies are printed and flushed before
the next line is read, so scripts and other programs can converse with it through a pipe. Choices print
as numbered options; typing the number or the label both work (the dispatcher maps them). Two helpers
stand in for what a phone would send: `/foto <name>` sends a photo, `/kontak <number>` shares a contact.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from bot.core.dispatcher import Dispatcher
from bot.core.i18n import DEFAULT_LOCALE, Translator
from bot.core.messages import Channel, Inbound, Reply

PHOTO_COMMAND = "/foto"
CONTACT_COMMAND = "/kontak"


def to_inbound(user: str, line: str) -> Inbound:
    """Turn one typed line into an Inbound."""
    text = line.rstrip("\r\n")
    word, _, rest = text.strip().partition(" ")
    if word.lower() == PHOTO_COMMAND:
        ref = f"console:{rest.strip() or 'foto.jpg'}"
        return Inbound(Channel.CONSOLE, user, photo_ref=ref, update_id=None, display_name=user)
    if word.lower() == CONTACT_COMMAND and rest.strip():
        return Inbound(Channel.CONSOLE, user, contact_phone=rest.strip(), display_name=user)
    return Inbound(Channel.CONSOLE, user, text=text, display_name=user)


def render(reply: Reply) -> str:
    """A reply as terminal text: the message, a photo marker, then numbered options (wording from the catalogs)."""
    t = Translator(reply.locale or DEFAULT_LOCALE)
    lines = [reply.text]
    if reply.photo_ref:
        lines.insert(0, t("console.photo", ref=reply.photo_ref))
    for number, choice in enumerate(reply.choices, start=1):
        label = t("console.link", label=choice.label, url=choice.url) if choice.url else choice.label
        numbered = label if label.startswith(f"{number}. ") else f"{number}. {label}"
        lines.append(f"  {numbered}")
    return "\n".join(lines)


async def run_console(
    dispatcher: Dispatcher,
    user: str,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    prompt: bool | None = None,
    read_line: Callable[[], str] | None = None,
) -> int:
    """Converse until end of input; returns the process exit code."""
    show_prompt = stdin.isatty() if prompt is None else prompt
    reader = read_line or stdin.readline
    while True:
        if show_prompt:
            stdout.write("\n> ")
            stdout.flush()
        line = await asyncio.to_thread(reader)
        if line == "":
            return 0
        if not show_prompt:
            stdout.write(f"> {line.rstrip()}\n")
        for reply in await dispatcher.handle(to_inbound(user, line)):
            stdout.write(render(reply) + "\n")
        stdout.flush()
