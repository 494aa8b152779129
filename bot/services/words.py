"""The words people type to steer the bot, in one place per language.

Each language lists its own words; matching takes the union of all languages, because people mix them
("skip" in an Indonesian chat). Each word has one meaning: `ok` confirms (it is a yes), it is not a thanks.
Flows read these sets instead of keeping their own; keywords that *start* a flow stay with that flow's
registration. Role and language label keys live here too, so every flow names a role the same way.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Words:
    """The control words of one language (all lower case, compared after casefolding)."""

    cancel: frozenset[str]
    back: frozenset[str]
    skip: frozenset[str]
    help: frozenset[str]
    save: frozenset[str]
    edit: frozenset[str]
    yes: frozenset[str]
    no: frozenset[str]
    thanks: frozenset[str]
    greetings: frozenset[str]
    more: frozenset[str]
    leave: frozenset[str]  # words that would start another flow: a form answers them with "leave the form?"
    none: frozenset[str]  # "none / not yet / don't know": a skip at an optional question, a plain answer elsewhere
    unsure: frozenset[str]  # words that make a yes or a no unclear ("gak tau", "kurang yakin")


ID = Words(
    cancel=frozenset({"batal", "/batal", "stop", "berhenti"}),
    back=frozenset({"kembali", "/kembali", "balik", "sebelumnya"}),
    skip=frozenset({"lewati", "/lewati", "lewat", "-", "lewatkan", "skip dulu", "nanti saja", "nanti aja"}),
    help=frozenset({"bantuan", "/bantuan", "?", "tolong"}),
    save=frozenset({"simpan"}),
    edit=frozenset({"ubah", "ganti"}),
    yes=frozenset(
        {
            "ya", "y", "iya", "iyaa", "yaa", "betul", "benar", "bener", "sudah", "udah", "sdh", "ada", "ok",
            "oke", "okay", "okey", "okee", "sip", "siap", "setuju", "boleh", "mau",
        }
    ),
    no=frozenset(
        {
            "tidak", "t", "tdk", "tak", "nggak", "ngga", "nggk", "gak", "ga", "gk", "enggak", "engga", "ndak",
            "belum", "blm", "blum", "bukan", "jangan", "batal",
        }
    ),
    thanks=frozenset({"terima kasih", "terimakasih", "makasih", "trims", "tq", "suwun", "matur nuwun"}),
    greetings=frozenset({"mulai", "halo", "hai", "assalamualaikum", "selamat pagi", "selamat siang"}),
    more=frozenset({"lainnya", "lagi", "berikutnya", "selanjutnya"}),
    leave=frozenset({"/start", "menu", "/menu", "mulai", "peran", "/peran", "bahasa", "/bahasa"}),
    none=frozenset(
        {
            "belum punya", "belum ada", "blm punya", "blm ada", "blum punya", "blum ada", "belum", "blm",
            "tidak punya", "tdk punya", "gak punya", "ga punya", "nggak punya", "ngga punya", "gk punya",
            "gak ada", "nggak ada", "ngga ada", "gk ada", "tidak ada", "tdk ada", "ga ada", "kosong", "nihil",
            "tidak tahu", "tidak tau", "tdk tau", "gak tau", "ga tau", "gatau", "gk tau", "nggak tau",
            "ngga tau", "gak tahu", "ga tahu", "belum tahu", "belum tau", "blm tau", "lupa", "tidak ingat",
            "belum punya nib", "belum ada nib", "tidak ada nib", "belum daftar", "belum urus",
        }
    ),
    unsure=frozenset({"tau", "tahu", "yakin", "ngerti", "paham", "ingat"}),
)  # fmt: skip

EN = Words(
    cancel=frozenset({"cancel", "/cancel"}),
    back=frozenset({"back", "/back"}),
    skip=frozenset({"skip", "/skip"}),
    help=frozenset({"help", "/help"}),
    save=frozenset({"save"}),
    edit=frozenset({"edit"}),
    yes=frozenset({"yes", "yess", "yup", "ok", "okay"}),
    no=frozenset({"no", "nope"}),
    thanks=frozenset({"thanks", "thank you", "thx"}),
    greetings=frozenset({"hi", "hello", "start"}),
    more=frozenset({"more", "next"}),
    leave=frozenset({"/role", "/language", "language"}),
    none=frozenset(
        {"none", "no one", "nothing", "not yet", "n/a", "na", "nil", "don't know", "dont know", "no idea", "unknown"}
    ),
    unsure=frozenset({"know", "sure", "idea"}),
)

BY_LANGUAGE: dict[str, Words] = {"id": ID, "en": EN}


def _union(kind: str) -> frozenset[str]:
    return frozenset().union(*(getattr(w, kind) for w in BY_LANGUAGE.values()))


ANY = Words(**{f.name: _union(f.name) for f in fields(Words)})
CANCEL, BACK, SKIP, HELP, SAVE, EDIT = ANY.cancel, ANY.back, ANY.skip, ANY.help, ANY.save, ANY.edit
YES, NO, THANKS, GREETINGS, MORE, LEAVE = ANY.yes, ANY.no, ANY.thanks, ANY.greetings, ANY.more, ANY.leave
NONE, UNSURE = ANY.none, ANY.unsure

DOUBT = frozenset({"entah", "mungkin", "lupa", "maybe", "perhaps"})
_NEGATING = NO | {"kurang", "not", "dont", "no"}

YES_EMOJI = frozenset({"👍", "✅", "👌", "🙆"})
NO_EMOJI = frozenset({"👎", "❌", "🙅", "✖"})
# Polite words around an answer that do not change it ("iya pak", "gak dong").
FILLER = frozenset({"pak", "bu", "kak", "mas", "mbak", "saya", "sih", "dong", "deh", "kok", "aja", "saja", "lah"})

# Locale keys naming the roles and languages, shared by every flow that shows them.
ROLE_LABELS = {"vendor": "start.role_vendor", "opd": "start.role_opd", "buyer": "start.role_buyer"}
LANGUAGE_LABELS = {"id": "language.name_id", "en": "language.name_en"}


def said(text: str) -> str:
    """A typed message reduced for word matching: casefolded, single spaces, no end punctuation."""
    return " ".join(text.casefold().split()).strip("!.,? ") or text.strip().casefold()


def is_none(text: str) -> bool:
    """Whether a message says "none / not yet / don't know" (`belum punya`, `blm ada`, `gak tau`, `-`)."""
    typed = said(text)
    return typed in NONE or typed in SKIP


def yes_no(text: str) -> bool | None:
    """True for a yes (`ya`, `iya`, `ok`, `betul`, 👍), False for a no (`tidak`, `gak`, `belum ada`), else None."""
    s = " ".join(text.casefold().split())
    if len(s) > 60:
        return None
    words = [w for w in re.findall(r"[a-z]+", s) if w not in FILLER]
    if any(w in DOUBT for w in words) or any(
        w in UNSURE and before in _NEGATING for before, w in itertools.pairwise(words)
    ):
        return None  # "gak tau", "kurang yakin", "mungkin": neither a yes nor a no ("ya, saya yakin" is a yes)
    if words:
        if words[0] in NO and len(words) <= 5:
            return False  # "tidak", "belum ada", "gak mau"
        if words[0] in YES and len(words) <= 5 and not any(w in NO for w in words[1:]):
            return True
        return None
    emoji = {ch for ch in s if ch in YES_EMOJI or ch in NO_EMOJI}
    if emoji and emoji <= YES_EMOJI:
        return True
    if emoji and emoji <= NO_EMOJI:
        return False
    return None
