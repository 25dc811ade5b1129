"""Working on assignments in Telegram: executors' and controllers' buttons, reports, lists, comments.

One entry point for ``handlers/__init__.py``; the parts live in ``assignments_*.py``.
"""

from __future__ import annotations

from aiogram import Router

from handlers.assignments import (
    comments,
    control,
    executor,
    lists,
    report,
)

MENU_ITEMS = lists.MENU_ITEMS


def create_router() -> Router:
    router = Router(name="assignments")
    router.include_routers(
        lists.create_router(),  # menu buttons first: they end any conversation
        executor.create_router(),
        report.create_router(),
        control.create_router(),
        comments.create_router(),
    )
    return router
