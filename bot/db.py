"""Engine and session factory. SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE writes.

Why BEGIN IMMEDIATE: with pysqlite's default transaction handling, concurrent read-then-write flows
silently lose updates; with a deferred BEGIN they fail with "database is locked" at the lock upgrade.
Taking the write lock up front serialises writers and lets busy_timeout do its job
(measured in shared/reference/stack-facts.md §10).

Why a cursor of our own on SQLite: aiosqlite runs sqlite3 in a thread of its own, and every call is a hop
to that thread and back through the event loop. SQLAlchemy's adapter makes four per statement (cursor,
execute, fetchall, close) and one more for the pool's rollback after a commit; `_OneHopCursor` runs a
statement and reads its rows in one hop, BEGIN IMMEDIATE goes in the hop of the transaction's first
statement, and a rollback with no transaction open makes none (from 47 to about 12 hops per Telegram
update, benchmarks/telegram_bench.py). sqlite3 itself still runs only in
aiosqlite's thread, never in the event loop's.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy import event, exc
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# PostgreSQL connections per process: enough to keep its event loop busy while some wait for the server.
POOL_SIZE = 10


def is_sqlite(url: str) -> bool:
    """True when the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(
    url: str, *, echo: bool = False, hide_parameters: bool = True, pool_size: int = POOL_SIZE
) -> AsyncEngine:
    """Build the async engine for a database URL, with the SQLite pragmas this project depends on.

    SQL parameters (names, phone numbers, addresses) stay out of logs and error messages unless the caller
    passes `hide_parameters=False` (LOG_PERSONAL_DATA=true). `pool_size`: PostgreSQL connections per process.
    """
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": hide_parameters}
    if is_sqlite(url):
        # Every transaction here writes (BEGIN IMMEDIATE), and SQLite has one writer: one pooled connection
        # queues writers in asyncio instead of letting five connections sleep in SQLite's busy handler
        # (measured with benchmarks/dispatch_bench.py).
        kwargs["connect_args"] = {"timeout": 30}
        if _ONE_HOP:
            kwargs["module"] = _OneHopDBAPI(aiosqlite, sqlite3)
        if ":memory:" not in url and "mode=memory" not in url:
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
    else:
        # A fixed set of connections: with overflow, a busy process opened and closed connections all the time
        # (each a new server process, its catalog caches and prepared statements built again). Nothing holds
        # two sessions at once (SQLite runs with one connection), so a waiting session only waits its turn.
        kwargs.update(pool_size=pool_size, max_overflow=0)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _install_sqlite_hooks(engine)
    else:
        _install_closed_check(engine)
    return engine


class _OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor that runs each statement in one hop to aiosqlite's thread: a fresh sqlite3 cursor executes
    it, its rows are fetched, what SQLAlchemy reads afterwards is kept, and the sqlite3 cursor is closed."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: _OneHopConnection) -> None:  # no aiosqlite cursor: no hop
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._rows: collections.deque[Any] = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    async def _async_soft_close(self) -> None:
        """Nothing to close: the sqlite3 cursor was closed in the hop that ran the statement."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: str, parameters: Any, *, many: bool) -> None:
        adapt = self._adapt_connection
        assert isinstance(adapt, _OneHopConnection)
        connection: aiosqlite.Connection = adapt._connection  # type: ignore[assignment]

        begin = adapt._take_begin()

        def in_thread() -> tuple[Any, Sequence[Any], int, int | None]:
            raw = connection._conn  # aiosqlite's sqlite3 connection, used only in its thread
            cursor = raw.cursor()
            try:
                if begin:
                    cursor.execute("BEGIN IMMEDIATE")
                if many:
                    cursor.executemany(operation, parameters)
                else:
                    cursor.execute(operation, () if parameters is None else parameters)
                description = cursor.description
                rows = cursor.fetchall() if description else ()
                return description, rows, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()
                adapt._in_transaction = raw.in_transaction  # also after an error

        async with adapt._execute_mutex:
            self._description, rows, self._rowcount, self._lastrowid = await connection._execute(in_thread)
            self._rows = collections.deque(rows)


class _StreamingCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """aiosqlite's server-side cursor (`session.stream`), which may leave a transaction open."""

    __slots__ = ()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        adapt = self._adapt_connection
        assert isinstance(adapt, _OneHopConnection)
        adapt._in_transaction = True
        if adapt._take_begin():
            connection: aiosqlite.Connection = adapt._connection  # type: ignore[assignment]
            await connection._execute(lambda: connection._conn.execute("BEGIN IMMEDIATE").close())
        return await super()._execute_async(operation, parameters)


class _OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection with `_OneHopCursor`. A transaction's BEGIN IMMEDIATE goes with its
    first statement, in the same hop; commit and rollback skip the hop when no transaction is open (the
    pool's rollback after every commit, a transaction that ran no statement)."""

    __slots__ = ("_begin_pending", "_in_transaction")
    _cursor_cls = _OneHopCursor
    _ss_cursor_cls = _StreamingCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._in_transaction = True  # unknown yet: behave as before
        self._begin_pending = False

    def begin_immediate(self) -> None:
        """Start a write transaction with the next statement (SQLAlchemy's "begin" event)."""
        self._begin_pending = True

    def _take_begin(self) -> bool:
        pending, self._begin_pending = self._begin_pending, False
        if pending:
            self._in_transaction = True  # even if BEGIN fails: the rollback then asks sqlite3
        return pending

    def rollback(self) -> None:
        self._begin_pending = False
        if self._in_transaction:
            super().rollback()
            self._in_transaction = False

    def commit(self) -> None:
        self._begin_pending = False
        if self._in_transaction:
            super().commit()
            self._in_transaction = False


class _OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim, handing out `_OneHopConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> _OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return _OneHopConnection(self, adapted._connection)


# The adapter classes above build on SQLAlchemy 2.1's asyncio connector (the cursor's `_execute_async`) and
# aiosqlite's `Connection._execute`; with older releases the engine keeps SQLAlchemy's own adapter.
_ONE_HOP = hasattr(AsyncAdapt_aiosqlite_cursor, "_execute_async") and hasattr(aiosqlite.Connection, "_execute")


def _install_closed_check(engine: AsyncEngine) -> None:
    """Replace a pooled connection the server closed (a restart, an idle timeout) before a session uses it.

    Instead of `pool_pre_ping`, which costs three round trips per checkout (BEGIN, a ping, ROLLBACK: about
    a third of the round trips of a stored update), this asks the driver whether the socket is still open:
    asyncpg notices when the server closes it. A connection lost silently still fails on first use, and the
    pool then replaces every connection older than the failure.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        is_closed = getattr(record.driver_connection, "is_closed", None)
        if is_closed is not None and is_closed():
            raise exc.DisconnectionError("the server closed this connection")


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # no implicit BEGIN from sqlite3; we issue our own
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed in the file, not just unlinked
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        if isinstance(dbapi_connection, _OneHopConnection):
            dbapi_connection.begin_immediate()  # sent with the transaction's first statement, in its hop
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no lazy IO in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)
