"""Checklists in Telegram: open one from an assignment or a service request card, tick items in
place, and (the control, the service's agents) add items — one message, one item per line.

Buttons: ``chk:open:<a|r>:<id>``, ``chk:tick:<item>``, ``chk:add:<a|r>:<id>``,
``chk:req:<a|r>:<id>:<0|1>`` (the «report only after all items» rule). Nothing in them is trusted:
the services reload the item and its owner and re-check the presser's rights on every press.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import messages
from bot.pickers import short
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from models import Assignment
from services import checklists
from services.checklists import edit
from services.errors import DomainError, PermissionDenied

log = logging.getLogger("handlers.checklists")
BUTTON_TEXT = 60
NOT_STAFF = PermissionDenied("You are not allowed to change this checklist.")


class ChecklistForm(StatesGroup):
    items = State()


def _owner_ref(data: str, parts: int) -> tuple[str, int, list[str]] | None:
    """(kind, owner id, the rest) of ``chk:<action>:<kind>:<id>[:…]``; None when malformed."""
    fields = data.split(":")
    if len(fields) != parts or fields[2] not in checklists.KINDS or not fields[3].isdigit():
        return None
    return fields[2], int(fields[3]), fields[4:]


def render(cl: edit.Checklist) -> tuple[str, InlineKeyboardMarkup | None]:
    owner = cl.owner
    if isinstance(owner, Assignment):
        head = _("Checklist of assignment №%(id)s «%(title)s»") % {
            "id": owner.id,
            "title": quote(owner.title),
        }
    else:
        head = _("Checklist of request %(number)s «%(title)s»") % {
            "number": owner.number,
            "title": quote(owner.subject),
        }
    counted = cl.summary
    lines = [
        f"<b>{head}</b>",
        "",
        _("Ticked: %(done)s of %(total)s") % {"done": counted.done, "total": counted.total},
    ]
    if cl.required:
        lines.append(_("The report is accepted only when every item is ticked."))
    lines.append("")
    if not cl.items:
        lines.append(_("No items yet."))
    for item in cl.items:
        lines.append(("☑ " if item.done_at else "☐ ") + quote(item.text))
    rows: list[list[InlineKeyboardButton]] = []
    if cl.rights.tick:
        lines += ["", _("Press an item to tick it or to take the tick off.")]
        for item in cl.items:
            mark = "☑ " if item.done_at else "☐ "
            rows.append(
                [
                    InlineKeyboardButton(
                        text=mark + short(item.text, BUTTON_TEXT), callback_data=checklists.cb_tick(item.id)
                    )
                ]
            )
    if cl.rights.edit:
        kind, oid = cl.kind, owner.id
        rule = (
            _("🔓 Allow the report without all items") if cl.required else _("🔒 Report only after all items")
        )
        rows.append(
            [
                InlineKeyboardButton(text=_("➕ Add items"), callback_data=checklists.cb_add(kind, oid)),
                InlineKeyboardButton(
                    text=rule, callback_data=f"{checklists.CB_PREFIX}:req:{kind}:{oid}:{int(not cl.required)}"
                ),
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def _refuse(query: CallbackQuery, error: DomainError | str) -> None:
    await messages.refuse(query, error, logger=log)


async def open_checklist(query: CallbackQuery, turn: Turn) -> None:
    ref = _owner_ref(query.data or "", 4)
    if ref is None:
        await messages.outdated(query)
        return
    if turn.user is None:
        await _refuse(query, NOT_STAFF)
        return
    try:
        cl = await edit.view(turn.session, turn.user, ref[0], ref[1])
    except DomainError as exc:
        await _refuse(query, exc)
        return
    await query.answer()
    text, markup = render(cl)
    await turn.bot.send_message(query.from_user.id, text, reply_markup=markup)


async def tick_item(query: CallbackQuery, turn: Turn) -> None:
    fields = (query.data or "").split(":")
    if len(fields) != 3 or not fields[2].isdigit():
        await messages.outdated(query)
        return
    if turn.user is None:
        await _refuse(query, NOT_STAFF)
        return
    try:
        item = await edit.tick(turn.session, turn.user, int(fields[2]))
        kind = checklists.ASSIGNMENT if item.assignment_id is not None else checklists.REQUEST
        cl = await edit.view(
            turn.session, turn.user, kind, item.assignment_id or item.service_request_id or 0
        )
    except DomainError as exc:
        await _refuse(query, exc)
        return
    await query.answer(_("Ticked.") if item.done_at else _("The tick is taken off."))
    text, markup = render(cl)
    await messages.show_in_place(query, turn.bot, text, markup)


async def set_rule(query: CallbackQuery, turn: Turn) -> None:
    ref = _owner_ref(query.data or "", 5)
    if ref is None or ref[2][0] not in ("0", "1"):
        await messages.outdated(query)
        return
    if turn.user is None:
        await _refuse(query, NOT_STAFF)
        return
    try:
        await edit.set_required(turn.session, turn.user, ref[0], ref[1], ref[2][0] == "1")
        cl = await edit.view(turn.session, turn.user, ref[0], ref[1])
    except DomainError as exc:
        await _refuse(query, exc)
        return
    await query.answer()
    text, markup = render(cl)
    await messages.show_in_place(query, turn.bot, text, markup)


async def ask_items(query: CallbackQuery, turn: Turn) -> None:
    ref = _owner_ref(query.data or "", 4)
    if ref is None:
        await messages.outdated(query)
        return
    if turn.user is None:
        await _refuse(query, NOT_STAFF)
        return
    try:
        cl = await edit.view(turn.session, turn.user, ref[0], ref[1])
        if not cl.rights.edit:
            raise PermissionDenied("You are not allowed to change this checklist.")
    except DomainError as exc:
        await _refuse(query, exc)
        return
    await turn.fsm.set_state(ChecklistForm.items)
    await turn.fsm.set_data({"kind": ref[0], "id": ref[1]})
    await query.answer()
    await turn.bot.send_message(
        query.from_user.id,
        _("Send the checklist items in one message, one item per line.")
        + "\n\n"
        + _("To cancel, send /cancel."),
    )


async def got_items(message: Message, turn: Turn) -> None:
    data = await turn.fsm.get_data()
    if turn.user is None:
        await turn.fsm.clear()
        return
    try:
        added = await edit.add_items(turn.session, turn.user, data["kind"], data["id"], [message.text or ""])
        cl = await edit.view(turn.session, turn.user, data["kind"], data["id"])
    except DomainError as exc:
        await message.answer(domain_error_text(exc))
        return
    await turn.fsm.clear()
    text, markup = render(cl)
    await message.answer(_("Items added: %(n)s.") % {"n": len(added)} + "\n\n" + text, reply_markup=markup)


async def text_expected(message: Message) -> None:
    await message.answer(_("Please write it as a text message. To cancel, send /cancel."))


def create_router() -> Router:
    router = Router(name="checklists")
    router.callback_query.register(open_checklist, F.data.startswith("chk:open:"))
    router.callback_query.register(tick_item, F.data.startswith("chk:tick:"))
    router.callback_query.register(set_rule, F.data.startswith("chk:req:"))
    router.callback_query.register(ask_items, F.data.startswith("chk:add:"))
    router.message.register(got_items, ChecklistForm.items, F.text)
    router.message.register(text_expected, ChecklistForm.items)
    return router
