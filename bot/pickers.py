"""Executor picker: departments → people (paged), the department itself (its head), or name search.

Buttons carry only ids; handlers reload the rows (see :mod:`services.directory`) before using them.
``scope`` lets another flow (e.g. reassignment) reuse the picker with its own handlers.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from models import Department, User

PAGE_SIZE = 8
LABEL_LIMIT = 48


class PickAct:
    DEPTS = "depts"  # department list, page ``page``
    DEPT = "dept"  # people of department ``id``, page ``page``
    HEAD = "head"  # the department ``id`` itself: addressed to its head
    USER = "user"  # user ``id``
    NOOP = "noop"


class PickCallback(CallbackData, prefix="pick"):
    scope: str
    act: str
    id: int = 0
    page: int = 0


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _button(text: str, data: PickCallback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def page_of(items: Sequence[object], page: int) -> tuple[int, int, int]:
    """(clamped page, start, pages): a stale page number still shows something sensible."""
    pages = max((len(items) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 0), pages - 1)
    return page, page * PAGE_SIZE, pages


def _nav(scope: str, act: str, page: int, pages: int, item_id: int = 0) -> list[InlineKeyboardButton]:
    if pages <= 1:
        return []
    noop = PickCallback(scope=scope, act=PickAct.NOOP)
    return [
        _button("‹", PickCallback(scope=scope, act=act, id=item_id, page=page - 1))
        if page > 0
        else _button(" ", noop),
        _button(f"{page + 1}/{pages}", noop),
        _button("›", PickCallback(scope=scope, act=act, id=item_id, page=page + 1))
        if page < pages - 1
        else _button(" ", noop),
    ]


def departments_markup(scope: str, departments: Sequence[Department], page: int = 0) -> InlineKeyboardMarkup:
    page, start, pages = page_of(departments, page)
    rows = [
        [_button("🏢 " + short(d.name), PickCallback(scope=scope, act=PickAct.DEPT, id=d.id))]
        for d in departments[start : start + PAGE_SIZE]
    ]
    if nav := _nav(scope, PickAct.DEPTS, page, pages):
        rows.append(nav)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def people_markup(
    scope: str, dept: Department, head: User | None, people: Sequence[User], page: int = 0
) -> InlineKeyboardMarkup:
    page, start, pages = page_of(people, page)
    rows: list[list[InlineKeyboardButton]] = []
    if head is not None:
        label = _("🏢 The whole department (head: {name})").format(name=head.full_name)
        rows.append([_button(short(label, 60), PickCallback(scope=scope, act=PickAct.HEAD, id=dept.id))])
    rows += [
        [_button("👤 " + short(u.full_name), PickCallback(scope=scope, act=PickAct.USER, id=u.id))]
        for u in people[start : start + PAGE_SIZE]
    ]
    if nav := _nav(scope, PickAct.DEPT, page, pages, dept.id):
        rows.append(nav)
    rows.append([_button(_("‹ All departments"), PickCallback(scope=scope, act=PickAct.DEPTS))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def search_markup(scope: str, found: Sequence[User], departments: dict[int, str]) -> InlineKeyboardMarkup:
    """Search results; the department name tells apart namesakes."""
    rows = []
    for u in found:
        dept = departments.get(u.department_id or 0)
        label = f"👤 {u.full_name}" + (f" · {dept}" if dept else "")
        rows.append([_button(short(label, 60), PickCallback(scope=scope, act=PickAct.USER, id=u.id))])
    rows.append([_button(_("‹ All departments"), PickCallback(scope=scope, act=PickAct.DEPTS))])
    return InlineKeyboardMarkup(inline_keyboard=rows)
