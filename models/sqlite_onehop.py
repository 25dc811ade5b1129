"""aiosqlite for SQLAlchemy with one trip to the connection's thread per statement instead of four.

aiosqlite runs every call on its connection's own thread. SQLAlchemy's adapter makes four such
calls for each statement (open a cursor, execute, fetch the rows, close the cursor), and each call
costs a queue hand-off, a thread wake-up and a wake-up of the event loop through its self-pipe.
On the bot's hot path (two short SELECTs and a COMMIT per update) those hops were a large share of
the CPU spent per update. Here the cursor lives only on the connection's thread: one queued
function opens it, executes, fetches everything and closes it, and hands back the rows with the
cursor's description, rowcount and lastrowid.

A read is cheaper still without any trip: in WAL mode a SELECT never waits for a lock, and most
take a few microseconds, so a SELECT first runs right on the event loop's thread. A progress
handler stops it once it has run for ``INLINE_BUDGET`` (a report over a million rows), and it runs
again on the connection's thread as before; an interrupted SELECT changes nothing, unlike an
interrupted write, which is why writes always take the trip. The connection is never used by two
threads at once: SQLAlchemy awaits each call, and the statement mutex is held throughout.

Server-side (streaming) cursors keep SQLAlchemy's own adapter, which fetches in batches.

Passed to ``create_async_engine(..., module=...)`` (``models/db.py``); SQLAlchemy's aiosqlite dialect
is otherwise unchanged.
"""

from __future__ import annotations

import collections
import math
import re
import sqlite3
import time
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

# What one statement leaves behind: description, rows, rowcount, lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]

# How long a SELECT may run on the event loop before it is stopped and run on the connection's
# thread instead: well under the 50 ms an update may hold the loop, and above nearly every read of
# an update (a few to a few hundred microseconds).
INLINE_BUDGET = 0.002
# The progress handler's period in SQLite virtual machine steps (a few microseconds of work).
_PROGRESS_STEPS = 1000
# A plain read; ``WITH`` may front a write, and PRAGMAs may write, so those take the trip.
_READ = re.compile(r"\s*select\b", re.IGNORECASE)


def _run(conn: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    # Runs on the connection's thread, like every other call aiosqlite makes.
    cursor = conn.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, operation: str, seq_of_parameters: Any) -> _Outcome:
    cursor = conn.cursor()
    try:
        cursor.executemany(operation, seq_of_parameters)
        rows = cursor.fetchall() if cursor.description else []  # RETURNING of a bulk insert
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class _SlowReads:
    """SELECTs (by their SQL) that ran out of time on the event loop: the next run of the same one
    goes straight to the connection's thread rather than spending the budget again. Shared by an
    engine's connections; the oldest are forgotten past ``SIZE``."""

    SIZE = 512

    def __init__(self) -> None:
        self._known: collections.OrderedDict[str, None] = collections.OrderedDict()

    def __contains__(self, operation: str) -> bool:
        return operation in self._known

    def add(self, operation: str) -> None:
        self._known[operation] = None
        if len(self._known) > self.SIZE:
            self._known.popitem(last=False)


class _InlineReads:
    """The event-loop side of one connection: its SELECTs, each within ``INLINE_BUDGET``."""

    __slots__ = ("conn", "deadline", "slow")

    def __init__(self, conn: sqlite3.Connection, slow: _SlowReads) -> None:
        self.conn = conn
        self.slow = slow
        self.deadline = math.inf

    def _overdue(self) -> bool:
        return time.perf_counter() > self.deadline

    def run(self, operation: str, parameters: Any) -> _Outcome | None:
        """The SELECT's outcome, or None when it is known to be slow or ran out of time (it changed
        nothing either way)."""
        if operation in self.slow:
            return None
        self.deadline = time.perf_counter() + INLINE_BUDGET
        # Only while the statement runs here: on the connection's thread the handler would take the
        # GIL every few microseconds of a long query, fighting the event loop for it.
        self.conn.set_progress_handler(self._overdue, _PROGRESS_STEPS)
        try:
            return _run(self.conn, operation, parameters)
        except sqlite3.OperationalError:
            if time.perf_counter() > self.deadline:
                self.slow.add(operation)  # stopped by _overdue ("interrupted"): the thread runs it
                return None
            raise
        finally:
            self.conn.set_progress_handler(None, 0)
            self.deadline = math.inf


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose every statement is a single call on the connection's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor is opened here: that would be a trip of its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # the thread's cursor is already closed

    def close(self) -> None:
        self._rows.clear()

    def _keep(self, outcome: _Outcome) -> None:
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        adapted = self._adapt_connection
        async with adapted._execute_mutex:
            inline = adapted.inline_reads
            outcome = inline.run(operation, parameters) if inline and _READ.match(operation) else None
            if outcome is None:
                outcome = await self._connection._execute(_run, self._connection._conn, operation, parameters)
            self._keep(outcome)
        return self

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            self._keep(
                await self._connection._execute(
                    _run_many, self._connection._conn, operation, seq_of_parameters
                )
            )
        return self

    def nextset(self) -> None:
        return None  # SQLite has one result set per statement

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None  # sqlite3 ignores them too


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("inline_reads",)
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.inline_reads: _InlineReads | None = None  # set by ``read_inline`` for a WAL database

    def read_inline(self) -> None:
        """Run this connection's SELECTs on the event loop's thread from now on; only for a database
        in WAL mode, where a reader never waits for a writer (``models/db.py`` checks)."""
        self.inline_reads = _InlineReads(self._connection._conn, self.dbapi.slow_reads)

    def _open_transaction(self) -> bool:
        # sqlite3 begins a transaction only before a write; after reads alone its commit and
        # rollback do nothing, and skipping them saves a trip to the thread (half of a read-only
        # update's trips). ``in_transaction`` only reads SQLite's autocommit flag, which is safe from
        # this thread; no call of this connection is queued on its thread meanwhile, as SQLAlchemy
        # awaits each one.
        conn = self._connection._connection
        return conn is None or conn.in_transaction

    def commit(self) -> None:
        if self._open_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._open_transaction():
            super().rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def __init__(self, aiosqlite: Any, sqlite: Any) -> None:
        super().__init__(aiosqlite, sqlite)
        self.slow_reads = _SlowReads()

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def onehop_dbapi() -> OneHopDBAPI:
    """The module to hand to ``create_async_engine(module=...)`` for a ``sqlite+aiosqlite`` URL."""
    return OneHopDBAPI(aiosqlite, sqlite3)
