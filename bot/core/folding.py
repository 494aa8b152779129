"""One reply, one message where possible: folds a plain reply into the reply that follows it.

Handlers answer in small pieces ("Tersimpan.", then the menu); a channel that pays per message (Telegram
allows about one message per second per chat) sends them as one: the text of a plain reply (no buttons,
photo, file or edit) goes on top of the next reply, which keeps its own buttons. A channel that must keep
the first plain message apart (to carry a keyboard of its own) says so with `keep_first_plain`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.core.messages import Reply

MAX_FOLDED_CHARS = 3500  # below Telegram's 4096 and WhatsApp's 4096 text limits, with room for markup


def _plain(reply: Reply) -> bool:
    return not (reply.choices or reply.photo_ref or reply.attachment or reply.edit or reply.request_contact)


def _takes_text(reply: Reply) -> bool:
    return not (reply.photo_ref or reply.attachment or reply.edit)


def fold_replies(replies: Sequence[Reply], *, keep_first_plain: bool = False) -> list[Reply]:
    """The replies with each plain one joined to the next (blank line between), in order."""
    folded: list[Reply] = []
    for reply in replies:
        previous = folded[-1] if folded else None
        if (
            previous is not None
            and _plain(previous)
            and _takes_text(reply)
            and previous.locale == reply.locale
            and not (keep_first_plain and len(folded) == 1)
            and len(previous.text) + len(reply.text) + 2 <= MAX_FOLDED_CHARS
        ):
            folded[-1] = dataclasses.replace(reply, text=f"{previous.text}\n\n{reply.text}".strip())
        else:
            folded.append(reply)
    return folded
