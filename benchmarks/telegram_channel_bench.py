"""The Telegram adapter's own CPU per update, without the core or a database.

`telegram_bench.py` measures the whole bot; on a busy machine its CPU per update moves by more than the
adapter costs, so adapter changes are measured here. The real `TelegramChannel` (aiogram's long polling and
dispatcher, the guards, `Inbound` conversion, rendering, `Delivery`, the sender and the Bot API session)
runs on the main thread; the core behind it is a stand-in that answers at once with fixed replies shaped
like the bot's (a text with five buttons, a page that edits the pressed message, a form question). The
fake Bot API server and the users run in a second thread with their own event loop, and only the main
thread's CPU time (`time.thread_time`) counts, so the number is the adapter's and aiogram's alone.

Each user sends a text, waits for the answer, presses its first button (answered with
answerCallbackQuery and an edit), waits, and so on.

    .venv/bin/python benchmarks/telegram_channel_bench.py [--users 50] [--steps 20] [--rounds 3]

Prints, per round, updates, Bot API calls and the adapter's CPU ms per update; then the best round.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from bot.channels.telegram import FloodGuard, SendLimits, TelegramChannel, create_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.messages import Choice, Inbound, Reply  # noqa: E402
from bot.core.wire import Meta  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

TEXT = (
    "Hasil pencarian *keripik* di Kota Metro:\n"
    "1. Keripik Pisang Cokelat - Toko Sari Rasa, Metro Utara (Rp15.000 / bungkus)\n"
    "2. Keripik Singkong Balado - UMKM Maju Jaya, Metro Pusat (Rp12.000 / bungkus)\n"
    "3. Keripik Tempe - Dapur Bu Ani, Metro Barat (Rp10.000 / bungkus)\n"
    "Pilih salah satu untuk melihat detail, atau ketik pencarian lain."
)


def _choices(step: int) -> tuple[Choice, ...]:
    labels = ["Keripik Pisang Cokelat", "Keripik Singkong Balado", "Keripik Tempe", "Lainnya »", "Menu utama"]
    return tuple(Choice(label, f"s:v:{step}:{n}") for n, label in enumerate(labels))


def replies_for(inbound: Inbound) -> list[Reply]:
    """What the stand-in core answers: a list with buttons for a text, an edited page for a button."""
    step = int(inbound.update_id or 0)
    if inbound.action is not None:
        return [Reply(TEXT.replace("keripik", "halaman 2"), choices=_choices(step), edit=True, locale="id")]
    if step % 3 == 0:  # a form question: a plain confirmation folded into it, buttons to skip or cancel
        return [
            Reply("Tersimpan.", locale="id"),
            Reply("Berapa harga per bungkus?", choices=_choices(step)[:2], free_text=True, locale="id"),
        ]
    return [Reply(TEXT, choices=_choices(step), locale="id")]


class StandInIntake:
    """Takes the place of the durable intake: answers each accepted update at once, per chat in order."""

    def __init__(self) -> None:
        self.channel: TelegramChannel | None = None
        self.accepted = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def attach(self, _channel: str, outlet: TelegramChannel, _prepare: Any = None) -> None:
        self.channel = outlet

    @property
    def idle(self) -> bool:
        return not self._tasks

    async def accept(self, inbound: Inbound, meta: Meta | None = None) -> bool:
        self.accepted += 1
        task = asyncio.create_task(self._answer(inbound, meta or {}))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _answer(self, inbound: Inbound, meta: Meta) -> None:
        assert self.channel is not None
        await self.channel.deliver(inbound.external_id, replies_for(inbound), meta)

    async def drain(self, _timeout: float = 10.0) -> int:
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return 0


class CountingFake(FakeTelegramAPI):
    """The fake Bot API, counting per chat the answers that end a step (a message with buttons, an edit)."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[int, int] = {}
        self.changed: dict[int, asyncio.Event] = {}

    def _record(self, method: str, params: dict[str, Any], error: dict[str, Any] | None) -> None:
        super()._record(method, params, error)
        chat = params.get("chat_id")
        markup = params.get("reply_markup") or {}
        if error is None and isinstance(chat, int) and (method == "editMessageText" or "inline_keyboard" in markup):
            self.answers[chat] = self.answers.get(chat, 0) + 1
            self.changed.setdefault(chat, asyncio.Event()).set()


class Users:
    """The fake Bot API and the scripted users, on their own event loop in a second thread."""

    def __init__(self, users: int, steps: int) -> None:
        self.users = users
        self.steps = steps
        self.loop = asyncio.new_event_loop()
        self.tg: CountingFake | None = None
        self.ready = threading.Event()
        self.updates = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> str:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self.loop).result(30)
        assert self.tg is not None
        return self.tg.base_url

    async def _open(self) -> None:
        self.tg = CountingFake()
        await self.tg.__aenter__()

    def run(self) -> None:
        asyncio.run_coroutine_threadsafe(self._all(), self.loop).result(600)

    async def _all(self) -> None:
        await asyncio.gather(*(self._user(20_000 + n) for n in range(self.users)))

    async def _user(self, user: int) -> None:
        tg = self.tg
        assert tg is not None
        changed = tg.changed.setdefault(user, asyncio.Event())
        for step in range(self.steps):
            before = tg.answers.get(user, 0)
            if step % 2 == 0:
                tg.send_text(user, f"cari keripik {step}", first_name=f"User{user}")
            else:
                tg.tap(user, "Keripik Pisang Cokelat")
            self.updates += 1
            async with asyncio.timeout(60):
                while tg.answers.get(user, 0) == before:
                    changed.clear()
                    await changed.wait()

    def calls(self) -> int:
        assert self.tg is not None
        return len(self.tg.calls)

    def close(self) -> None:
        if self.tg is not None:
            asyncio.run_coroutine_threadsafe(self.tg.__aexit__(None, None, None), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def measure(users: Users, rounds: int) -> list[tuple[int, int, float]]:
    """Rounds of the users' scripts against one running channel; (updates, calls, thread CPU s) each."""
    settings = Settings(env_file=None)
    settings.telegram.bot_token = SecretStr("42:TEST")
    settings.telegram.api_server = users.start()
    core = SimpleNamespace(settings=settings, mark_unreachable=_nothing)
    intake = StandInIntake()
    bot = create_bot(settings.telegram)
    channel = TelegramChannel(
        core,  # type: ignore[arg-type]
        bot,
        intake=intake,  # type: ignore[arg-type]
        limits=SendLimits.unpaced(),
        flood=FloodGuard(burst=1_000_000),
        default_language="id",
    )
    polling = asyncio.create_task(
        channel.dispatcher.start_polling(
            bot, polling_timeout=5, handle_signals=False, close_bot_session=False, handle_as_tasks=False
        )
    )
    results = []
    try:
        loop = asyncio.get_running_loop()
        for _round in range(rounds):
            updates, calls = users.updates, users.calls()
            cpu = time.thread_time()
            await loop.run_in_executor(None, users.run)
            await intake.drain()
            cpu = time.thread_time() - cpu
            results.append((users.updates - updates, users.calls() - calls, cpu))
    finally:
        await channel.dispatcher.stop_polling()
        await asyncio.gather(polling, return_exceptions=True)
        await bot.session.close()
    return results


async def _nothing(*_args: Any) -> None:
    return None


def report(results: Sequence[tuple[int, int, float]]) -> None:
    for n, (updates, calls, cpu) in enumerate(results, 1):
        per_update = cpu * 1000 / updates
        print(f"round {n}: {updates} updates, {calls} Bot API calls, adapter CPU ms per update {per_update:.3f}")
    best = min(cpu / updates for updates, _calls, cpu in results)
    print(f"best: adapter CPU ms per update {best * 1000:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--steps", type=int, default=20, help="updates per user and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    users = Users(args.users, args.steps)
    try:
        report(asyncio.run(measure(users, args.rounds)))
    finally:
        users.close()


if __name__ == "__main__":
    main()
