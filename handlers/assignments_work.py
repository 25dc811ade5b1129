"""Working on assignments in Telegram: executors' and controllers' buttons, reports, lists, comments.

One entry point for ``handlers/__init__.py``; the parts live in ``assignments_*.py``.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    assignments_comments,
    assignments_control,
    assignments_executor,
    assignments_lists,
    assignments_report,
)

MENU_ITEMS = assignments_lists.MENU_ITEMS


def create_router() -> Router:
    router = Router(name="assignments_work")
    router.include_routers(
        assignments_lists.create_router(),  # menu buttons first: they end any conversation
        assignments_executor.create_router(),
        assignments_report.create_router(),
        assignments_control.create_router(),
        assignments_comments.create_router(),
    )
    return router
