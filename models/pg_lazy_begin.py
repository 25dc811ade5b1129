"""asyncpg for SQLAlchemy with BEGIN deferred to the first statement that needs a transaction.

SQLAlchemy's adapter sends BEGIN before a session's first statement, whatever it is, and COMMIT at
its end. The bot's most common update only reads (who is writing, then a reply): BEGIN, SELECT,
COMMIT, three round trips to the server for one statement's worth of work.

Under READ COMMITTED, PostgreSQL's default and the only level this product uses, every statement
takes a fresh snapshot anyway, so a plain read before the first write sees exactly what it would
have seen inside the transaction. Such reads run on their own (autocommit); BEGIN goes out before
the first statement that is anything else, and a session that only read has nothing to COMMIT.
Reads that must be inside a transaction still get one: row locks (``FOR UPDATE``/``FOR SHARE``),
transaction-scoped advisory locks, server-side cursors, and every read after the first write.

Passed to ``create_async_engine(..., module=...)`` (``models/db.py``); the dialect is otherwise
SQLAlchemy's own.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import (
    AsyncAdapt_asyncpg_connection,
    AsyncAdapt_asyncpg_cursor,
    AsyncAdapt_asyncpg_dbapi,
)
from sqlalchemy.util import await_only

_SELECT = re.compile(r"\s*select\b", re.IGNORECASE)
# What makes a SELECT depend on its transaction: the locks it takes last until COMMIT.
_NEEDS_TRANSACTION = re.compile(
    r"\bfor\s+(?:update|share|no\s+key\s+update|key\s+share)\b|_xact_lock|set_config", re.IGNORECASE
)


@functools.lru_cache(maxsize=2048)
def needs_no_transaction(operation: str) -> bool:
    # Cached: SQLAlchemy hands the same compiled strings over and over, and searching a long SELECT's
    # text on every execution cost 2 % of an update's time.
    return bool(_SELECT.match(operation)) and not _NEEDS_TRANSACTION.search(operation)


class LazyBeginCursor(AsyncAdapt_asyncpg_cursor):
    __slots__ = ()

    async def _prepare_and_execute(self, operation: Any, parameters: Any) -> None:
        connection: LazyBeginConnection = self._adapt_connection  # type: ignore[assignment]
        connection.plain_read = not self.server_side and needs_no_transaction(operation)
        try:
            await super()._prepare_and_execute(operation, parameters)
        finally:
            connection.plain_read = False


class LazyBeginConnection(AsyncAdapt_asyncpg_connection):
    __slots__ = ("plain_read",)
    _cursor_cls = LazyBeginCursor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plain_read = False  # set by the cursor for the statement it is about to run

    async def _start_transaction(self) -> None:
        if self.plain_read:
            return  # BEGIN waits for the first statement that needs it (module docstring)
        await super()._start_transaction()


class LazyBeginDBAPI(AsyncAdapt_asyncpg_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> LazyBeginConnection:
        # As SQLAlchemy's own ``connect``, with this module's connection class.
        creator_fn = kw.pop("async_creator_fn", self.asyncpg.connect)
        cache_size = kw.pop("prepared_statement_cache_size", 100)
        name_func = kw.pop("prepared_statement_name_func", None)
        return await_only(  # type: ignore[no-any-return]
            LazyBeginConnection.create(
                self,
                creator_fn(*arg, **kw),
                prepared_statement_cache_size=cache_size,
                prepared_statement_name_func=name_func,
            )
        )


def lazy_begin_dbapi() -> LazyBeginDBAPI:
    """The module to hand to ``create_async_engine(module=...)`` for a ``postgresql+asyncpg`` URL."""
    return LazyBeginDBAPI(asyncpg)
