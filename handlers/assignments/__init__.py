"""Working on assignments in Telegram: executors' and controllers' buttons, reports, lists, comments.

One entry point for ``handlers/__init__.py``. The lifecycle buttons (acknowledge, decline, accept,
return, extension decisions) are one table in ``actions.py``; cards and lists are drawn in
``cards.py`` (the text is the services' one card renderer; the materials sent on demand: ``field.py``); the
control's deadline change is ``control.py``; callback data and conversation states live in
``callbacks.py`` and ``states.py``.
"""

from __future__ import annotations

from aiogram import Router

from handlers.assignments import actions, comments, control, executor, field, lists, reassign, report

MENU_ITEMS = lists.MENU_ITEMS


def create_router() -> Router:
    router = Router(name="assignments")
    router.include_routers(
        lists.create_router(),  # menu buttons first: they end any conversation
        actions.create_router(),
        executor.create_router(),
        control.create_router(),
        field.create_router(),
        report.create_router(),
        reassign.create_router(),
        comments.create_router(),
    )
    return router
