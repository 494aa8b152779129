"""Engine and session factory. SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE writes.

Why BEGIN IMMEDIATE: with pysqlite's default transaction handling, concurrent read-then-write flows
silently lose updates; with a deferred BEGIN they fail with "database is locked" at the lock upgrade.
Taking the write lock up front serialises writers and lets busy_timeout do its job
(measured in shared/reference/stack-facts.md §10).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, exc
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
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no lazy IO in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)
