"""«My assignments» and «Under control»: filtered, keyset-paged lists; each item opens its card."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import messages
from bot.i18n import N_
from bot.menu import ALL_STAFF, MenuButton, MenuItem
from bot.turn import Turn
from handlers.assignments.callbacks import AssignmentCallback, AssignmentListCallback
from handlers.assignments.cards import CONTROL, FILTERS, MY, card, list_view
from handlers.assignments.common import NOT_STAFF, checked, refuse
from models import User, utcnow
from models.enums import Role
from services.assignments import commands, parent_state, queries
from services.assignments.queries import Cursor, ListFilter

# Anybody on the staff can be given an assignment; authors and controllers check the work.
MY_ASSIGNMENTS = MenuItem(
    "my_assignments",
    N_("My assignments"),
    roles=ALL_STAFF,
    hint=N_("the assignments you execute"),
    order=30,
)
UNDER_CONTROL = MenuItem(
    "under_control",
    N_("Under control"),
    roles=frozenset({Role.CONTROLLER, Role.MANAGER, Role.CLERK}),
    hint=N_("the assignments you check"),
    order=31,
)
MENU_ITEMS = (MY_ASSIGNMENTS, UNDER_CONTROL)


async def _render(
    turn: Turn, user: User, scope: str, flt: ListFilter, cursor: Cursor | None
) -> tuple[str, InlineKeyboardMarkup]:
    now = utcnow()
    fetch = queries.my_assignments if scope == MY else queries.under_control
    page = await fetch(turn.session, user, flt, now=now, cursor=cursor)
    points = await parent_state.point_labels(turn.session, list(page.items))
    return list_view(scope, flt, page, turn.notice_ctx, now=now, first=cursor is None, points=points)


async def _show(message: Message, turn: Turn, user: User, scope: str) -> None:
    assert turn.state is not None
    await turn.state.clear()  # a menu button ends any conversation
    text, markup = await _render(turn, user, scope, ListFilter.OPEN, None)
    await message.answer(text, reply_markup=markup)


async def show_my(message: Message, turn: Turn, user: User) -> None:
    await _show(message, turn, user, MY)


async def show_control(message: Message, turn: Turn, user: User) -> None:
    await _show(message, turn, user, CONTROL)


async def turn_page(query: CallbackQuery, callback_data: AssignmentListCallback, turn: Turn) -> None:
    # The lists only ever show the presser's own rows, so forged data can at worst show them theirs.
    allowed = FILTERS.get(callback_data.scope, ())
    flt = next((f for f in allowed if f.value == callback_data.flt), None)
    if turn.user is None or flt is None:
        await refuse(query, NOT_STAFF if turn.user is None else _(messages.OUTDATED))
        return
    cursor = Cursor.decode(callback_data.cur)
    text, markup = await _render(turn, turn.user, callback_data.scope, flt, cursor)
    await query.answer()
    await messages.show_in_place(query, turn.bot, text, markup)


async def open_card(query: CallbackQuery, callback_data: AssignmentCallback, turn: Turn) -> None:
    """A fresh card below the list (the list stays for further browsing)."""
    a = await checked(query, turn, lambda u: commands.load_visible(turn.session, callback_data.id, u))
    if a is None:
        return
    text, markup = await card(turn, a, _("Assignment card"))
    await query.answer()
    await turn.bot.send_message(query.from_user.id, text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name="assignments_lists")
    router.message.register(show_my, MenuButton(MY_ASSIGNMENTS.key))
    router.message.register(show_control, MenuButton(UNDER_CONTROL.key))
    router.callback_query.register(turn_page, AssignmentListCallback.filter())
    router.callback_query.register(open_card, AssignmentCallback.filter(F.action == "open"))
    return router
