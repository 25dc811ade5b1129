"""What the forms conversation shows: the list, a question with its buttons, the summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.pickers import short
from bot.texts import quote
from models import Form, FormField
from models.enums import FieldKind
from services.forms import definitions as d
from services.forms.validation import option_label, option_values, rules, shown

SHARE_PHONE = N_("📱 Share my phone")
SKIP = N_("Skip")
SUMMARY_VALUE_LIMIT = 300  # a long answer is cut in the summary: 40 fields still fit in 4096


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def forms_list(forms: Sequence[Form], locale: str, cb: Any) -> tuple[str, InlineKeyboardMarkup | None]:
    if not forms:
        return _("There are no forms to fill in right now."), None
    rows = [[_button(short(d.title_in(f, locale)), cb(act="o", form=f.id).pack())] for f in forms[:50]]
    return _("Choose a form to fill in:"), InlineKeyboardMarkup(inline_keyboard=rows)


def intro(form: Form, locale: str, web_url: str | None) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [f"<b>{quote(d.title_in(form, locale))}</b>"]
    description = d.description_in(form, locale)
    if description:
        lines += ["", quote(description[:1500])]
    lines += ["", _("I will ask the questions one by one. To cancel, send /cancel.")]
    markup = None
    if web_url:
        lines.append(_("You may fill it in on the website instead: the answers will reach your profile too."))
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=_("🌐 Fill in on the website"), url=web_url)]]
        )
    return "\n".join(lines), markup


def question(
    form: Form,
    field: FormField,
    step: int,
    total: int,
    locale: str,
    cb: Any,
    picked: Sequence[str] = (),
    files: int = 0,
) -> tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup | None]:
    lines = [
        _("Question %(n)d of %(total)d") % {"n": step + 1, "total": total},
        f"<b>{quote(d.label_in(field, locale))}</b>",
    ]
    help_text = d.help_in(field, locale)
    if help_text:
        lines.append(quote(help_text))
    hint = {
        FieldKind.DATE: _("Type a date like 25.12.2026."),
        FieldKind.NUMBER: _("Type a number."),
        FieldKind.EMAIL: _("Type an e-mail address."),
        FieldKind.PHONE: _("Tap «%(button)s» below or type the number.") % {"button": _(SHARE_PHONE)},
        FieldKind.FILE: _("Send photos or documents (up to %(n)d), then tap «Done». Attached: %(count)d.")
        % {"n": int(rules(field).get("max_files") or 1), "count": files},
        FieldKind.MULTICHOICE: _("Tap the options that apply, then «Done»."),
        FieldKind.CHOICE: _("Choose one of the options."),
    }.get(FieldKind(field.kind))
    if hint:
        lines.append(hint)
    if not field.required:
        lines.append(_("(optional)"))
    pack = lambda act, v="": cb(act=act, form=form.id, step=step, v=v).pack()  # noqa: E731
    rows: list[list[InlineKeyboardButton]] = []
    if field.kind == FieldKind.PHONE:
        keys = [[KeyboardButton(text=_(SHARE_PHONE), request_contact=True)]]
        if not field.required:
            keys.append([KeyboardButton(text=_(SKIP))])
        return "\n".join(lines), ReplyKeyboardMarkup(
            keyboard=keys, resize_keyboard=True, one_time_keyboard=True
        )
    if field.kind == FieldKind.CHOICE:
        rows = [[_button(short(option_label(field, v, locale)), pack("p", v))] for v in option_values(field)]
    elif field.kind == FieldKind.MULTICHOICE:
        rows = [
            [_button(("✅ " if v in picked else "▫️ ") + short(option_label(field, v, locale)), pack("t", v))]
            for v in option_values(field)
        ]
        rows.append([_button(_("✔ Done"), pack("d"))])
    elif field.kind == FieldKind.FILE:
        rows = [[_button(_("✔ Done"), pack("d"))]]
    elif field.kind == FieldKind.CONSENT:
        rows = [[_button(_("✅ I agree"), pack("a"))]]
    if not field.required and field.kind not in (FieldKind.MULTICHOICE, FieldKind.FILE):
        rows.append([_button(_(SKIP), pack("s"))])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def summary(
    form: Form,
    fields: Sequence[FormField],
    answers: dict[str, Any],
    files: dict[str, list[Any]],
    locale: str,
    cb: Any,
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("Your answers to «%(form)s» — please check before sending:")
        % {"form": quote(d.title_in(form, locale))},
        "",
    ]
    for f in fields:
        value = len(files.get(f.key, [])) if f.kind == FieldKind.FILE else answers.get(f.key)
        text = shown(f, value if value not in (0, None) else None, locale)
        if len(text) > SUMMARY_VALUE_LIMIT:
            text = text[:SUMMARY_VALUE_LIMIT] + "…"
        lines.append(f"{quote(short(d.label_in(f, locale), 80))}: {quote(text)}")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(_("✅ Send"), cb(act="send", form=form.id).pack()),
                _button(_("✖ Cancel"), cb(act="x", form=form.id).pack()),
            ]
        ]
    )
    return "\n".join(lines), markup
