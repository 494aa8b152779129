"""Console channel: a terminal chat on the same dispatcher as every other channel.

Each input line is one message, handled as soon as it arrives; its replies are printed and flushed before
the next line is read, so scripts and other programs can converse with it through a pipe. Choices print
as numbered options; typing the number or the label both work (the dispatcher maps them). Two helpers
stand in for what a phone would send: `/foto <name>` sends a photo, `/kontak <number>` shares a contact.
Announcements and reminders queued for this user are shown before the next answer; a file the bot sends
(an export) is written to the current folder. The console says hello and how to quit when it opens;
`keluar`, `exit` or `quit` (or Ctrl-D, the end of input) quits. Log lines go to stderr, never into the chat.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.core.dispatcher import Dispatcher
from bot.core.i18n import DEFAULT_LOCALE, Translator
from bot.core.messages import Channel, Inbound, Reply
from bot.core.wire import Locale
from bot.core.wire import render as render_payload
from bot.services import outbox

PHOTO_COMMAND = "/foto"
CONTACT_COMMAND = "/kontak"
QUIT_WORDS = frozenset({"keluar", "/keluar", "exit", "/exit", "quit", "/quit"})


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


class Notices:
    """Announcements, reminders and notices queued for the console user (the outbox's console channel): shown
    before each answer, since a terminal cannot be written to while nobody is at it."""

    def __init__(self, dispatcher: Dispatcher, user: str) -> None:
        self.sessions = dispatcher.sessions
        self.user = user
        bot = dispatcher.settings.bot
        self.locale = Locale(bot.default_language, bot.timezone, bot.timezone_label)

    async def take(self) -> list[Reply]:
        """The due ones, marked delivered."""
        async with self.sessions() as session, session.begin():
            envelopes = await outbox.take_due(session, Channel.CONSOLE.value, self.user)
        return [reply for e in envelopes for reply in render_payload(e.payload, e.language, self.locale)[0]]


def save_attachment(reply: Reply, folder: Path) -> str | None:
    """Write a reply's file (an export, a chart) into `folder`; the line that says where it is."""
    if reply.attachment is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(reply.attachment.filename).name
    path.write_bytes(reply.attachment.data)
    return Translator(reply.locale or DEFAULT_LOCALE)("console.file", path=str(path))


async def run_console(
    dispatcher: Dispatcher,
    user: str,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    prompt: bool | None = None,
    read_line: Callable[[], str] | None = None,
    files: Path | None = None,
) -> int:
    """Converse until end of input; returns the process exit code. Files the bot sends go to `files`."""
    show_prompt = stdin.isatty() if prompt is None else prompt
    reader = read_line or stdin.readline
    notices = Notices(dispatcher, user)
    folder = files or Path.cwd()
    t = Translator(dispatcher.settings.bot.default_language)
    stdout.write(t("console.welcome") + "\n")
    stdout.flush()
    while True:
        if show_prompt:
            stdout.write("\n> ")
            stdout.flush()
        line = await asyncio.to_thread(reader)
        if line == "":
            return 0
        if not show_prompt:
            stdout.write(f"> {line.rstrip()}\n")
        if line.strip().casefold() in QUIT_WORDS:
            stdout.write(t("console.bye") + "\n")
            stdout.flush()
            return 0
        replies = await dispatcher.handle(to_inbound(user, line))
        for reply in [*await notices.take(), *replies]:
            if (saved := save_attachment(reply, folder)) is not None:
                stdout.write(saved + "\n")
            stdout.write(render(reply) + "\n")
        stdout.flush()
