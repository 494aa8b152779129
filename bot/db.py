"""Engine and session factory. SQLite gets WAL, foreign keys, BEGIN IMMEDIATE writes and runs in the loop's thread.

Why BEGIN IMMEDIATE: with pysqlite's default transaction handling, concurrent read-then-write flows
silently lose updates; with a deferred BEGIN they fail with "database is locked" at the lock upgrade.
Taking the write lock up front serialises writers and lets busy_timeout do its job
(measured in shared/reference/stack-facts.md §10).

Why SQLite runs in the event loop's thread: aiosqlite hands every call (execute, fetch, commit...) to a
thread of its own and back, and with about 60 such calls per Telegram update the hops cost far more than the
statements (a few microseconds to a few milliseconds on a local file; profiled with
benchmarks/telegram_bench.py --profile). `_InlineConnection` keeps aiosqlite's interface for SQLAlchemy but
calls sqlite3 directly. The one wait that could be long, another process holding the write lock, never
blocks the loop: the busy timeout is 0 and a "database is locked" call is tried again after an asyncio sleep
(in WAL mode with BEGIN IMMEDIATE only the BEGIN waits for a lock, and a call that got SQLITE_BUSY did
nothing, so trying it again is safe).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import types
from collections.abc import Callable, Generator
from functools import cache
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def is_sqlite(url: str) -> bool:
    """True when the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False, hide_parameters: bool = True) -> AsyncEngine:
    """Build the async engine for a database URL, with the SQLite pragmas this project depends on.

    SQL parameters (names, phone numbers, addresses) stay out of logs and error messages unless the caller
    passes `hide_parameters=False` (LOG_PERSONAL_DATA=true).
    """
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": hide_parameters}
    if is_sqlite(url):
        # Every transaction here writes (BEGIN IMMEDIATE), and SQLite has one writer: one pooled connection
        # queues writers in asyncio instead of letting five connections sleep in SQLite's busy handler
        # (measured with benchmarks/dispatch_bench.py).
        kwargs["connect_args"] = {"timeout": 0}  # lock waits are asyncio sleeps (`_InlineConnection`)
        kwargs["module"] = _inline_aiosqlite()
        if ":memory:" not in url and "mode=memory" not in url:
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _install_sqlite_hooks(engine)
    return engine


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # no implicit BEGIN from sqlite3; we issue our own
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=0")  # waits for another process's write lock are asyncio sleeps
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed in the file, not just unlinked
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no lazy IO in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


LOCK_WAIT_SECONDS = 30.0  # how long a call waits for another process's write lock before it fails


class _InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection without its thread: each call runs at once in the event loop's thread."""

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            self._connection = await self._execute_unchecked(self._connector)
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return await self._execute_unchecked(fn, *args, **kwargs)

    @staticmethod
    async def _execute_unchecked(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        deadline: float | None = None
        pause = 0.001
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err):
                    raise
                now = time.monotonic()
                deadline = deadline or now + LOCK_WAIT_SECONDS
                if now >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    def stop(self) -> None:  # type: ignore[override]
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its thread (SQLAlchemy puts its isolation-level change there)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as err:  # handed to the waiting caller, as aiosqlite's thread does
            if future is not None:
                future.set_exception(err)
            return
        if future is not None:
            future.set_result(result)


def _connect_inline(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> _InlineConnection:
    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, **kwargs)

    connection = _InlineConnection(connector, iter_chunk_size)
    connection._tx = _RunAtOnce()  # type: ignore[assignment]
    return connection


@cache
def _inline_aiosqlite() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module SQLAlchemy's aiosqlite dialect expects, connecting with `_InlineConnection`."""
    shim = types.ModuleType("aiosqlite_inline")
    shim.__dict__.update(vars(aiosqlite))
    shim.connect = _connect_inline  # type: ignore[attr-defined]
    shim.Connection = _InlineConnection  # type: ignore[attr-defined]
    return AsyncAdapt_aiosqlite_dbapi(shim, sqlite3)
