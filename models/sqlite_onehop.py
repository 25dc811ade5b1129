"""aiosqlite for SQLAlchemy with one trip to the connection's thread per statement instead of four.

aiosqlite runs every call on its connection's own thread. SQLAlchemy's adapter makes four such
calls for each statement (open a cursor, execute, fetch the rows, close the cursor), and each call
costs a queue hand-off, a thread wake-up and a wake-up of the event loop through its self-pipe.
On the bot's hot path (two short SELECTs and a COMMIT per update) those hops were a large share of
the CPU spent per update. Here the cursor lives only on the connection's thread: one queued
function opens it, executes, fetches everything and closes it, and hands back the rows with the
cursor's description, rowcount and lastrowid.

Server-side (streaming) cursors keep SQLAlchemy's own adapter, which fetches in batches.

Passed to ``create_async_engine(..., module=...)`` (``models/db.py``); SQLAlchemy's aiosqlite dialect
is otherwise unchanged.
"""

from __future__ import annotations

import collections
import sqlite3
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
        async with self._adapt_connection._execute_mutex:
            self._keep(await self._connection._execute(_run, self._connection._conn, operation, parameters))
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
    __slots__ = ()
    _cursor_cls = OneHopCursor

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
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def onehop_dbapi() -> OneHopDBAPI:
    """The module to hand to ``create_async_engine(module=...)`` for a ``sqlite+aiosqlite`` URL."""
    return OneHopDBAPI(aiosqlite, sqlite3)
