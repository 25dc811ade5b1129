"""«New assignment»: a controller, manager or clerk creates an assignment in a short conversation.

Text (or a template) → executor → deadline → files → priority → confirmation (where an appeal can
be linked by its number, or «➕ One more point» makes it a multi-point assignment: points.py).
Button payloads are only ids and choices: every press reloads rows, and «Create» re-validates the
executor and the deadline.
"""

from __future__ import annotations

from aiogram import F, Router

from bot.calendar import CalendarCallback
from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import stale_router
from bot.pickers import PickCallback
from bot.role_guard import guarded_router
from handlers.assignment_create import appeal, confirm, deadline, executor, files, points, template, text
from handlers.assignment_create.callbacks import CREATE_SCOPE, NewCallback
from handlers.assignment_create.guard import creator_guard
from handlers.assignment_create.steps import CREATOR_ROLES

NEW_ASSIGNMENT = MenuItem(
    "assignment_create",
    N_("New assignment"),
    roles=frozenset(CREATOR_ROLES),
    hint=N_("give an assignment to a colleague or a department"),
    order=30,
)
MENU_ITEMS = (NEW_ASSIGNMENT,)


def create_router() -> Router:
    router = guarded_router("assignment_create", creator_guard())
    router.message.register(text.start, MenuButton(NEW_ASSIGNMENT.key))
    router.include_routers(
        template.create_router(),
        text.create_router(),
        executor.create_router(),
        deadline.create_router(),
        files.create_router(),
        confirm.create_router(),
        appeal.create_router(),
        points.create_router(),
    )
    # Last: a button of this flow pressed outside its step (an old message, a finished draft) or
    # forged (the guard refuses such presses to non-creators first).
    stale = stale_router(
        "assignment_create",
        NewCallback.filter(),
        CalendarCallback.filter(F.scope == CREATE_SCOPE),
        PickCallback.filter(F.scope == CREATE_SCOPE),
    )
    router.include_router(stale)
    return router
