"""The questions of a form one by one: typed answers, a shared phone, files, buttons. Every answer goes
through ``services.forms.validation``; every press is checked against the current step and the
field's kind, and the form is reloaded on each step (closed meanwhile: the conversation ends).
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.attachments import accept
from bot.messages import outdated, settle, show_in_place
from bot.texts import quote
from bot.turn import Turn
from handlers.forms.callbacks import Act, FormCb, FormFill
from handlers.forms.render import SKIP, question, summary
from models import Form, FormField, TelegramAccount
from models.enums import FieldKind
from services.forms import definitions as d
from services.forms.validation import MAX_FILES_LIMIT, rules, shown, validate


async def live_form(turn: Turn, data: dict[str, Any]) -> Form | None:
    """The conversation's form, reloaded; closed meanwhile: the conversation ends and says so."""
    form = await turn.session.get(Form, int(data.get("form") or 0))
    if form is None or not form.is_active:
        await turn.fsm.clear()
        await turn.bot.send_message(
            turn.chat_id,
            _("This form is no longer available."),
            reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
        )
        return None
    return form


async def ask(turn: Turn, form: Form, fields: list[FormField], step: int) -> None:
    data = await turn.fsm.get_data()
    if step >= len(fields):
        await turn.fsm.set_state(FormFill.confirm)
        text, markup = summary(form, fields, data.get("a", {}), data.get("f", {}), turn.locale, FormCb)
        await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)
        return
    await turn.fsm.update_data(i=step, m=[])
    field = fields[step]
    text, markup = question(
        form, field, step, len(fields), turn.locale, FormCb, files=len(data.get("f", {}).get(field.key, []))
    )
    await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)


async def _current(turn: Turn) -> tuple[Form, list[FormField], FormField, dict[str, Any]] | None:
    data = await turn.fsm.get_data()
    form = await live_form(turn, data)
    if form is None:
        return None
    fields = await d.fields_of(turn.session, form.id)
    step = int(data.get("i") or 0)
    if step >= len(fields):  # fields deleted in the panel meanwhile: straight to the summary
        await ask(turn, form, fields, step)
        return None
    return form, fields, fields[step], data


async def _accept_value(
    turn: Turn, form: Form, fields: list[FormField], field: FormField, data: dict[str, Any], value: Any
) -> None:
    answers = dict(data.get("a", {}))
    if value is None:
        answers.pop(field.key, None)
    else:
        answers[field.key] = value
    await turn.fsm.update_data(a=answers)
    await ask(turn, form, fields, int(data.get("i") or 0) + 1)


TYPED_KINDS = frozenset(
    {FieldKind.TEXT, FieldKind.TEXTAREA, FieldKind.DATE, FieldKind.NUMBER, FieldKind.EMAIL, FieldKind.PHONE}
)


async def typed(message: Message, turn: Turn) -> None:
    found = await _current(turn)
    if found is None:
        return
    form, fields, field, data = found
    text = message.text or ""
    if field.kind not in TYPED_KINDS:
        hint = (
            _("Please send a photo or a document, or tap «Done».")
            if field.kind == FieldKind.FILE
            else _("Please use the buttons above.")
        )
        await message.answer(hint)
        return
    if field.kind == FieldKind.PHONE and not field.required and text.strip() == _(SKIP):
        await message.answer(_("Skipped."), reply_markup=turn.menu.keyboard(turn.user, turn.i18n))
        await _accept_value(turn, form, fields, field, data, None)
        return
    checked = validate(field, text, turn.locale)
    if checked.error:
        await message.answer(quote(checked.error) + "\n" + _("Please try again."))
        return
    if field.kind == FieldKind.PHONE:  # the contact keyboard gives way to the menu again
        await message.answer(
            _("Phone: %(phone)s") % {"phone": checked.value},
            reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
        )
    await _accept_value(turn, form, fields, field, data, checked.value)


async def contact_shared(message: Message, turn: Turn, account: TelegramAccount) -> None:
    found = await _current(turn)
    if found is None:
        return
    form, fields, field, data = found
    contact = message.contact
    if field.kind != FieldKind.PHONE or contact is None:
        await message.answer(_("Please answer the question above."))
        return
    checked = validate(field, contact.phone_number, turn.locale)
    if checked.error:
        await message.answer(quote(checked.error) + "\n" + _("Please try again."))
        return
    # Only the button sends the sender's own contact (user_id is theirs): that number is proven.
    if contact.user_id == account.id:
        await turn.fsm.update_data(pp=checked.value)
    await message.answer(
        _("Phone: %(phone)s") % {"phone": checked.value},
        reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
    )
    await _accept_value(turn, form, fields, field, data, checked.value)


async def file_sent(message: Message, turn: Turn) -> None:
    found = await _current(turn)
    if found is None:
        return
    form, fields, field, data = found
    if field.kind != FieldKind.FILE:
        await message.answer(_("A file is not expected here. Please answer the question above."))
        return
    all_files = dict(data.get("f", {}))
    mine = list(all_files.get(field.key, []))
    limit = min(int(rules(field).get("max_files") or 1), MAX_FILES_LIMIT)
    item, refusal = await accept(turn.bot, message, mine, limit=limit)
    if refusal:
        await message.answer(refusal)
        return
    if item is None:
        return  # the same file again
    mine.append({k: item.get(k) for k in ("id", "uid", "name")})
    all_files[field.key] = mine
    await turn.fsm.update_data(f=all_files)
    text, markup = question(
        form, field, int(data.get("i") or 0), len(fields), turn.locale, FormCb, files=len(mine)
    )
    await message.answer(text, reply_markup=markup)


async def pressed(query: CallbackQuery, callback_data: FormCb, turn: Turn) -> None:
    """A button under a question: checked against the current step and the field's kind."""
    data = await turn.fsm.get_data()
    if data.get("form") != callback_data.form or int(data.get("i") or 0) != callback_data.step:
        await outdated(query)
        return
    found = await _current(turn)
    if found is None:
        await query.answer()
        return
    form, fields, field, data = found
    act, kind = callback_data.act, field.kind
    allowed = {
        Act.PICK: kind == FieldKind.CHOICE,
        Act.TOGGLE: kind == FieldKind.MULTICHOICE,
        Act.DONE: kind in (FieldKind.MULTICHOICE, FieldKind.FILE),
        Act.SKIP: not field.required,
        Act.AGREE: kind == FieldKind.CONSENT,
    }
    if not allowed.get(act, False):
        await outdated(query)
        return
    if act == Act.TOGGLE:
        picked = list(data.get("m", []))
        picked = (
            [v for v in picked if v != callback_data.v]
            if callback_data.v in picked
            else [*picked, callback_data.v]
        )
        checked = validate(field, picked, turn.locale) if picked else None
        if checked is not None and checked.error:  # a forged option
            await query.answer(checked.error, show_alert=True)
            return
        await turn.fsm.update_data(m=picked)
        await query.answer()
        text, markup = question(
            form, field, callback_data.step, len(fields), turn.locale, FormCb, picked=picked
        )
        if isinstance(markup, InlineKeyboardMarkup):  # always, for a multichoice: typed for show_in_place
            await show_in_place(query, turn.bot, text, markup)
        return
    raw: Any = {
        Act.PICK: callback_data.v,
        Act.DONE: data.get("m", [])
        if kind == FieldKind.MULTICHOICE
        else data.get("f", {}).get(field.key, []),
        Act.SKIP: None,
        Act.AGREE: True,
    }[act]
    checked = validate(field, raw, turn.locale)
    if checked.error:
        await query.answer(checked.error, show_alert=True)
        return
    await query.answer()
    value = checked.value if kind != FieldKind.FILE else None  # files are kept in ``f``
    await settle(
        query,
        f"{quote(d.label_in(field, turn.locale))}: {quote(_answer_text(field, checked.value, turn.locale))}",
    )
    await _accept_value(turn, form, fields, field, data, value)


def _answer_text(field: FormField, value: Any, locale: str) -> str:
    return shown(field, value, locale)


async def unexpected(message: Message) -> None:
    await message.answer(_("Please answer the question above with text, a button or a file as it asks."))
