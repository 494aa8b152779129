"""Hostile and careless input for the dispatcher: one generator shared by the hypothesis test and the fuzz
script (benchmarks/fuzz_dispatch.py). Each message is what a phone could send: any text (emoji, SQL and FTS
syntax, lone surrogates, a pasted novel), the bot's own words at the wrong time, typed numbers, presses of real
buttons from the last replies, forged or stale payloads (huge ids, wrong prefixes, undecodable text), photos,
contacts with good and bad numbers, stickers, and the same update delivered twice."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.dispatcher import Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Channel, Inbound, Reply

WORDS = [
    "halo",
    "menu",
    "bantuan",
    "batal",
    "kembali",
    "lewati",
    "ya",
    "iya",
    "tidak",
    "gak",
    "ok",
    "simpan",
    "daftar usaha",
    "tambah produk",
    "produk saya",
    "data saya",
    "hapus data saya",
    "bahasa",
    "peran",
    "verifikasi",
    "siaran",
    "acara",
    "buat acara",
    "laporan siaran",
    "berhenti info",
    "mulai info",
    "keripik pisang",
    "siapa yang jual kopi robusta?",
    "nasi box di bawah 30 ribu",
    "tapis",
    "/start",
    "/admin",
    "15rb",
    "Rp 25.000/bungkus",
    "1,5 jt",
    "0812-3456-7890",
    "Metro Utara",
    "metro utr",
    "tidak ada",
    "-",
]
NASTY = [
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "NEAR(a b)",
    "a AND (b",
    "*",
    ":*",
    "\\",
    "%",
    "_",
    "${x}",
    "{0}",
    "{name}",
    "<b>x</b>",
    "&amp;",
    "\u200b",
    "\ufeff",
    "\x00",
    "🙏",
    "👍🏽",
    "👨‍👩‍👧",
    "\ud800",
    "a\udfffb",
    "x" * 5000,
    "ا" * 300,
    "Ⅻ",
    "ｆｕｌｌ",
    "\n\n\n",
    "   ",
    "",
]
_runs = itertools.count(1)
PREFIXES = ["f", "prod", "find", "menu", "start", "lang", "role", "data", "ver", "info", "event", "bc", "zz", ""]


@dataclass
class FuzzReport:
    """What a fuzz run found."""

    messages: int = 0
    duplicates_sent: int = 0
    duplicates_answered: int = 0
    unanswered: int = 0
    internal_errors: int = 0
    logged_errors: int = 0
    integrity_problems: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def clean(self) -> bool:
        """Nothing went wrong."""
        problems = (self.unanswered, self.internal_errors, self.logged_errors, self.duplicates_answered)
        return not (any(problems) or self.integrity_problems)


class _ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _random_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(WORDS)
    if roll < 0.55:
        return rng.choice(NASTY)
    if roll < 0.7:
        return str(rng.randint(0, 15))
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 .,?!-/:'\"()*@#éç中文🙂\u0301"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))


def _forged_payload(rng: random.Random) -> str:
    parts = [rng.choice(PREFIXES), rng.choice(["open", "pick", "del", "delok", "hide", "edit", "page", "ok", "x"])]
    for _ in range(rng.randint(0, 4)):
        parts.append(
            rng.choice(
                [str(rng.randint(-5, 10 ** rng.randint(1, 19))), "abc", "\ud83d", "", "9" * 30, "1e9", "_summary"]
            )
        )
    return ":".join(parts)


def next_message(rng: random.Random, user: str, update_id: int, last: list[Reply]) -> tuple[str, Inbound]:
    """One random message from `user`, sometimes a press of a real button of `last`."""
    base = Inbound(Channel.CONSOLE, user, update_id=str(update_id), display_name=user, language_hint="id")
    roll = rng.random()
    choices = [c for r in last for c in r.choices if c.url is None]
    if roll < 0.35 and choices:
        return "button", dataclasses.replace(base, action=rng.choice(choices).action)
    if roll < 0.45:
        return "forged", dataclasses.replace(base, action=_forged_payload(rng))
    if roll < 0.5:
        return "photo", dataclasses.replace(base, photo_ref=f"console:{rng.randint(1, 10**6)}.jpg")
    if roll < 0.55:
        phone = rng.choice(["0812-3456-7890", "+62 812 3456 7891", "12", "x" * 40, "+1 202 555 0100", "🙂"])
        return "contact", dataclasses.replace(base, contact_phone=phone)
    if roll < 0.58:
        return "sticker", dataclasses.replace(base, has_unsupported_media=True)
    if roll < 0.6:
        return "phone_field", dataclasses.replace(base, text="halo", phone=rng.choice(["0812 3456 7892", "z" * 40]))
    return "text", dataclasses.replace(base, text=_random_text(rng))


async def integrity(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """Database-level checks: SQLite's own integrity and foreign keys; orphans on PostgreSQL."""
    problems: list[str] = []
    async with sessions() as session:
        if session.bind.dialect.name == "sqlite":
            result = (await session.execute(text("PRAGMA integrity_check"))).scalar()
            if result != "ok":
                problems.append(f"integrity_check: {result}")
            problems += [f"foreign key: {row}" for row in (await session.execute(text("PRAGMA foreign_key_check")))]
        orphans = {
            "identities without user": "SELECT count(*) FROM identities i LEFT JOIN users u ON u.id = i.user_id "
            "WHERE u.id IS NULL",
            "products without vendor": "SELECT count(*) FROM products p LEFT JOIN vendors v ON v.id = p.vendor_id "
            "WHERE v.id IS NULL",
            "conversations without user": "SELECT count(*) FROM conversations c LEFT JOIN users u "
            "ON u.id = c.user_id WHERE u.id IS NULL",
        }
        for name, query in orphans.items():
            if n := (await session.execute(text(query))).scalar():
                problems.append(f"{name}: {n}")
    return problems


async def fuzz(
    dispatcher: Dispatcher, sessions: async_sessionmaker[AsyncSession], *, messages: int, users: int = 12, seed: int = 1
) -> FuzzReport:
    """Send `messages` random messages from `users` users (the first is an admin if ADMIN_IDS says so)."""
    rng = random.Random(seed)
    report = FuzzReport()
    apology = {Translator(lang)("error.internal") for lang in ("id", "en")}
    counter = _ErrorCounter()
    logging.getLogger("bot").addHandler(counter)
    last: dict[str, list[Reply]] = {}
    sent: list[Inbound] = []
    first_update = next(_runs) * 10_000_000  # update ids never repeat across runs on one database
    try:
        for n in range(messages):
            user = "admin" if n % users == 0 else f"fuzz{n % users}"
            if sent and rng.random() < 0.03:
                inbound, kind, duplicate = rng.choice(sent), "duplicate", True
            else:
                kind, inbound = next_message(rng, user, first_update + n, last.get(user, []))
                duplicate = False
                sent.append(inbound)
            report.kinds[kind] += 1
            replies = await dispatcher.handle(inbound)
            report.messages += 1
            if duplicate:
                report.duplicates_sent += 1
                report.duplicates_answered += bool(replies)
                continue
            last[inbound.external_id] = replies
            if not replies:
                report.unanswered += 1
            if any(r.text in apology for r in replies):
                report.internal_errors += 1
    finally:
        logging.getLogger("bot").removeHandler(counter)
    report.logged_errors = len(counter.records)
    report.integrity_problems = await integrity(sessions)
    return report
