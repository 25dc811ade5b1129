"""«📝 Forms and applications»: a form asked field by field, a summary, Send; the answers land on the
person's CRM card through ``services.forms.intake.submit`` (the one validation the web page uses too).

The conversation keeps ids, the checked answers and the files' Telegram ids in the FSM data; every
press is checked against the current step (an old question's button is stale), every answer goes
through ``services.forms.validation``, and the form is reloaded on each step. A run key makes a
repeated «Send» one submission.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.attachments import accept, download, too_big_text
from bot.consent_prompt import prompt_text
from bot.i18n import N_
from bot.menu import ALL_STAFF, MenuItem, is_marked_partner
from bot.messages import outdated, settle
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.forms.callbacks import Act, FormCb, FormFill
from handlers.forms.render import SKIP, forms_list, intro, question, summary
from models import Form, FormField, TelegramAccount, User
from models.enums import FieldKind, SubmissionChannel
from porucheno.settings import Settings
from services.errors import DomainError
from services.forms import definitions as d
from services.forms import links
from services.forms.intake import IncomingFile, SubmissionInput, submit
from services.forms.validation import MAX_FILES_LIMIT, rules, shown, validate
from services.privacy import consent

log = logging.getLogger(__name__)


class _FormsItem(MenuItem):
    """Residents and the organisation's own staff; not the people of outside organisations (they
    use the bot for their organisation's work)."""

    __slots__ = ()

    def visible_to(self, user: User | None) -> bool:
        return user is None or (not is_marked_partner(user) and MenuItem.visible_to(self, user))


FORMS = _FormsItem(
    "forms",
    N_("📝 Forms and applications"),
    roles=ALL_STAFF,
    residents=True,
    hint=N_("fill in a form: an application to a programme, a subscription, a questionnaire"),
    order=70,
)


async def show_list(message: Message, turn: Turn) -> None:
    await turn.fsm.clear()
    text, markup = forms_list(await d.bot_forms(turn.session), turn.locale, FormCb)
    await message.answer(text, reply_markup=markup)


async def open_pressed(
    query: CallbackQuery, callback_data: FormCb, turn: Turn, account: TelegramAccount, settings: Settings
) -> None:
    form = await turn.session.get(Form, callback_data.form)
    await query.answer()
    if form is None or not form.is_active:
        await turn.bot.send_message(turn.chat_id, _("This form is no longer available."))
        return
    await _begin(turn, form, account, settings)


async def start_link(
    message: Message, command: CommandObject, turn: Turn, account: TelegramAccount, settings: Settings
) -> None:
    await turn.fsm.clear()
    slug = (command.args or "").removeprefix(links.START_PREFIX)
    form = await d.by_slug(turn.session, slug)
    if form is None:
        await message.answer(
            _("This form is not available: the link is wrong or the form is closed."),
            reply_markup=turn.menu.keyboard(turn.user, turn.i18n),
        )
        return
    await _begin(turn, form, account, settings)


def personal_web_link(settings: Settings, form: Form, telegram_id: int) -> str | None:
    if len(settings.secret_key) < 16:
        return None
    return links.web_url(settings.admin_base_url, form.slug, links.sign(settings.secret_key, telegram_id))


async def _begin(turn: Turn, form: Form, account: TelegramAccount, settings: Settings) -> None:
    await turn.fsm.clear()
    text, markup = intro(form, turn.locale, personal_web_link(settings, form, account.id))
    await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)
    current = await consent.current(turn.session)
    await turn.fsm.set_data(
        {
            "form": form.id,
            "i": 0,
            "a": {},
            "f": {},
            "m": [],
            "run": secrets.token_hex(8),
            "pdv": current.version,
        }
    )
    if not await consent.telegram_consented(turn.session, account.id, current.version):
        await turn.fsm.set_state(FormFill.consent)
        buttons = [
            [
                InlineKeyboardButton(
                    text=_("✅ I agree"),
                    callback_data=FormCb(act=Act.PD, form=form.id, step=current.version, v="1").pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    text=_("✖ I decline"),
                    callback_data=FormCb(act=Act.PD, form=form.id, step=current.version, v="0").pack(),
                )
            ],
        ]
        purpose = _(
            "The form asks for personal data: they are kept on your profile to consider your answers."
        )
        await turn.bot.send_message(
            turn.chat_id,
            prompt_text(turn, current, purpose),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons),
        )
        return
    await turn.fsm.set_state(FormFill.answering)
    await _ask(turn, form, await d.fields_of(turn.session, form.id), 0)


async def consent_pressed(
    query: CallbackQuery, callback_data: FormCb, turn: Turn, account: TelegramAccount
) -> None:
    data = await turn.fsm.get_data()
    if data.get("form") != callback_data.form or data.get("pdv") != callback_data.step:
        await outdated(query)
        return
    if await consent.by_version(turn.session, callback_data.step) is None:
        await outdated(query)
        return
    agreed = callback_data.v == "1"
    await consent.log(
        turn.session,
        consent.ConsentEntry(
            channel="telegram",
            version=callback_data.step,
            decision=consent.GIVEN if agreed else consent.REFUSED,
            telegram_id=account.id,
        ),
    )
    await turn.session.commit()
    await query.answer()
    if not agreed:
        await turn.fsm.clear()
        await settle(query, _("Without your consent the form cannot be sent. Nothing has been saved."))
        await turn.bot.send_message(
            turn.chat_id, _("Main menu."), reply_markup=turn.menu.keyboard(turn.user, turn.i18n)
        )
        return
    await settle(
        query,
        _("Consent to the processing of personal data: given (version %(v)d).") % {"v": callback_data.step},
    )
    form = await _live_form(turn, data)
    if form is None:
        return
    await turn.fsm.set_state(FormFill.answering)
    await _ask(turn, form, await d.fields_of(turn.session, form.id), 0)


async def _live_form(turn: Turn, data: dict[str, Any]) -> Form | None:
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


async def _ask(turn: Turn, form: Form, fields: list[FormField], step: int) -> None:
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
    form = await _live_form(turn, data)
    if form is None:
        return None
    fields = await d.fields_of(turn.session, form.id)
    step = int(data.get("i") or 0)
    if step >= len(fields):  # fields deleted in the panel meanwhile: straight to the summary
        await _ask(turn, form, fields, step)
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
    await _ask(turn, form, fields, int(data.get("i") or 0) + 1)


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
        if isinstance(query.message, Message):
            await query.message.edit_text(text, reply_markup=markup)
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


async def send_pressed(
    query: CallbackQuery, callback_data: FormCb, turn: Turn, account: TelegramAccount, settings: Settings
) -> None:
    data = await turn.fsm.get_data()
    if data.get("form") != callback_data.form:
        await outdated(query)
        return
    form = await _live_form(turn, data)
    if form is None:
        await query.answer()
        return
    await query.answer(_("Sending…"))
    incoming: dict[str, list[IncomingFile]] = {}
    for key, items in (data.get("f") or {}).items():
        for item in items:
            blob = await download(turn.bot, str(item.get("id")))
            if blob is None:
                await turn.bot.send_message(turn.chat_id, too_big_text())
                return
            incoming.setdefault(key, []).append(
                IncomingFile(
                    data=blob,
                    filename=item.get("name"),
                    telegram_file_id=item.get("id"),
                    telegram_file_unique_id=item.get("uid"),
                )
            )
    try:
        result = await submit(
            turn.session,
            SubmissionInput(
                form_id=form.id,
                channel=SubmissionChannel.TELEGRAM,
                answers=dict(data.get("a") or {}),
                consent_version=int(data.get("pdv") or 0),
                files=incoming,
                telegram_id=account.id,
                telegram_name=account.display_name,
                proven_phone=data.get("pp"),
                files_dir=settings.files_dir,
                dedup_key=f"tg:{account.id}:{data.get('run')}",
                locale=turn.locale,
            ),
        )
    except DomainError as exc:
        await turn.session.rollback()
        await turn.fsm.clear()
        await settle(query, domain_error_text(exc))
        await turn.bot.send_message(
            turn.chat_id, _("Main menu."), reply_markup=turn.menu.keyboard(turn.user, turn.i18n)
        )
        return
    if not result.ok:  # the form changed in the panel meanwhile: say what is wrong, start again
        await turn.fsm.clear()
        lines = [f"• {quote(e)}" for e in result.errors.values()]
        await settle(
            query, _("The form has changed and some answers no longer fit:") + "\n" + "\n".join(lines)
        )
        await turn.bot.send_message(
            turn.chat_id, _("Please fill it in again."), reply_markup=turn.menu.keyboard(turn.user, turn.i18n)
        )
        return
    await turn.session.commit()
    await turn.fsm.clear()
    if result.repeated:  # a second «Send» that raced the first one: the answers are in once
        await settle(query, _("Your answers have already been sent."))
        return
    log.info(
        "form %s answered in the bot by telegram id %s (submission %s)",
        form.id,
        account.id,
        result.submission.id,
    )
    await settle(
        query,
        _("Your answers to «%(form)s» have been sent.") % {"form": quote(d.title_in(form, turn.locale))},
    )
    thanks = d.thanks_in(form, turn.locale) or _("Thank you! Your answers have been received.")
    await turn.bot.send_message(
        turn.chat_id, quote(thanks), reply_markup=turn.menu.keyboard(turn.user, turn.i18n)
    )


async def cancel_pressed(query: CallbackQuery, callback_data: FormCb, turn: Turn) -> None:
    data = await turn.fsm.get_data()
    if data.get("form") != callback_data.form:
        await outdated(query)
        return
    await turn.fsm.clear()
    await query.answer()
    await settle(query, _("The form was not sent. Nothing has been saved."))
    await turn.bot.send_message(
        turn.chat_id, _("Main menu."), reply_markup=turn.menu.keyboard(turn.user, turn.i18n)
    )


async def confirm_expected(message: Message) -> None:
    await message.answer(_("Please tap «Send» or «Cancel» above. To cancel, send /cancel."))


async def consent_expected(message: Message) -> None:
    await message.answer(_("Please tap «I agree» or «I decline» above. To cancel, send /cancel."))


async def unexpected(message: Message) -> None:
    await message.answer(_("Please answer the question above with text, a button or a file as it asks."))


async def stale(query: CallbackQuery) -> None:
    log.info("stale or forged forms press %r from telegram user %s", query.data, query.from_user.id)
    await outdated(query)
