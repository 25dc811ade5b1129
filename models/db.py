"""Engine and session factory. Built by the entry point, never at import time."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.util import await_only

from models.pg_lazy_begin import lazy_begin_dbapi
from models.sqlite_onehop import OneHopConnection, onehop_dbapi


def create_engine(
    database_url: str, *, echo: bool = False, pool_size: int = 10, max_overflow: int = 10
) -> AsyncEngine:
    """``pool_size`` and ``max_overflow`` apply to PostgreSQL (the service passes its settings')."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # Sessions and connections end their own transactions (commit, or rollback on close), so the
        # pool's extra ROLLBACK on return is redundant; with aiosqlite it is one more hop to the
        # connection's thread for every update.
        # module: each statement is one trip to aiosqlite's thread, not four (models/sqlite_onehop.py).
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": 30},
            pool_reset_on_return=None,
            module=onehop_dbapi(),
            # Each connection is a thread with an open file; one opened for a burst and closed on return
            # (the pool's overflow) cost more than the burst's queries. Twenty stay open; ten more in a
            # burst beyond that.
            pool_size=20,
            max_overflow=10,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets the web panel read while the bot writes; FKs are off by default in SQLite.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            wal = cur.fetchone()[0].lower() == "wal"  # not on every file system, nor for :memory:
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            if wal and isinstance(dbapi_conn, OneHopConnection):
                dbapi_conn.read_inline()  # reads skip the trip to the connection's thread

        return engine
    # ``?search_path=schema`` selects a PostgreSQL schema (asyncpg takes it as a server setting).
    connect_args = {}
    if "search_path" in url.query:
        connect_args["server_settings"] = {"search_path": str(url.query["search_path"])}
        url = url.difference_update_query(["search_path"])
    # module: BEGIN waits for the first statement that needs a transaction (models/pg_lazy_begin.py).
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args=connect_args,
        module=lazy_begin_dbapi(),
    )
    event.listen(engine.sync_engine, "checkout", _check_on_checkout)
    event.listen(engine.sync_engine, "checkin", _note_checkin)
    return engine


# A pooled connection unused for longer than this is probed before it is handed out.
PING_AFTER_IDLE = 10.0
_RETURNED = "porucheno_returned"  # connection record info: monotonic time it came back to the pool


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info[_RETURNED] = time.monotonic()


def _check_on_checkout(dbapi_connection: Any, record: Any, _proxy: object) -> None:
    """A pooled PostgreSQL connection the server ended (a restart, ``pg_terminate_backend``) costs no
    update: the pool drops it and takes or opens another.

    The server says goodbye and closes the socket; the event loop reads that as soon as it happens,
    so asyncpg already knows, and asking costs nothing. A connection silent for a while (a firewall
    or NAT may have dropped it without a word) answers one simple ``SELECT 1`` first. Probing every
    checkout, as SQLAlchemy's ``pool_pre_ping`` does (inside BEGIN … ROLLBACK, three round trips),
    cost a busy bot a round trip on every update."""
    driver = dbapi_connection.driver_connection
    if driver.is_closed():
        raise DisconnectionError("the server closed the connection")
    if time.monotonic() - record.info.get(_RETURNED, 0.0) < PING_AFTER_IDLE:
        return
    try:
        await_only(driver.execute("SELECT 1"))
    except Exception as exc:  # closed, reset, timed out: the pool tries the next connection
        raise DisconnectionError(f"{type(exc).__name__}: {exc}") from exc


# ``session.info`` keys set by the listeners below.
WROTE = "porucheno_wrote"  # the session flushed or executed writes since its last commit
COMMIT_SIGNALS = "porucheno_commit_signals"  # names to announce once the transaction commits


class _FactorySession(Session):
    """Base of each factory's own session class: its listeners are registered once per factory,
    not once per session (registering per session cost a measurable share of each update)."""

    commit_hooks: dict[str, list[Callable[[], None]]]


def _flushed(session: Session, _context: object) -> None:
    session.info[WROTE] = True


def _executed(state: ORMExecuteState) -> None:
    # Statements run through the session without a flush (``session.execute(update(...))``) write
    # too; text() counts as a write (conservative: the caller then commits).
    if not state.is_select:
        state.session.info[WROTE] = True


def has_writes(session: AsyncSession | Session) -> bool:
    """Whether the session holds work a commit would keep: flushed or executed writes (flagged by
    the listeners above) or pending changes visible on the session itself."""
    target = session.sync_session if isinstance(session, AsyncSession) else session
    return bool(target.info.get(WROTE) or target.new or target.dirty or target.deleted)


def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: nothing is committed until the outer transaction is
    session.info[WROTE] = False
    signals = session.info.pop(COMMIT_SIGNALS, None)
    if not signals:
        return
    hooks = type(session).commit_hooks  # type: ignore[attr-defined]
    for name in signals:
        for hook in hooks.get(name, ()):
            hook()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    session_class = type("PoruchenoSession", (_FactorySession,), {"commit_hooks": {}})
    event.listen(session_class, "after_flush", _flushed)
    event.listen(session_class, "do_orm_execute", _executed)
    event.listen(session_class, "after_commit", _committed)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


def signal_on_commit(session: AsyncSession | Session, name: str) -> None:
    """Announce ``name`` to the factory's hooks after this session's transaction commits (e.g. the
    outbox sender wakes at once for a notice queued by this update, instead of at its next poll)."""
    target = session.sync_session if isinstance(session, AsyncSession) else session
    target.info.setdefault(COMMIT_SIGNALS, set()).add(name)


def on_commit(factory: async_sessionmaker[AsyncSession], name: str, hook: Callable[[], None]) -> None:
    """Call ``hook`` (in the event loop's thread, so it must not block) after any session of
    ``factory`` commits a transaction that signalled ``name``."""
    session_class = factory.kw.get("sync_session_class")
    if session_class is None or not issubclass(session_class, _FactorySession):
        return  # a factory built elsewhere (tests): the pollers still find the work
    session_class.commit_hooks.setdefault(name, []).append(hook)
