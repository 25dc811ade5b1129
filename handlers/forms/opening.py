"""«📝 Forms and applications» and ``/start form_<slug>``: the list, a form's first message with the
personal web link, the personal-data consent (once per version).
"""

from __future__ import annotations

import secrets

from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.consent_prompt import channel as consent_channel
from bot.consent_prompt import prompt_text
from bot.i18n import N_
from bot.menu import ALL_STAFF, OwnItem
from bot.messages import outdated, settle
from bot.turn import Turn
from handlers.forms.callbacks import Act, FormCb, FormFill
from handlers.forms.render import forms_list, intro
from handlers.forms.steps import ask, live_form
from models import Form, TelegramAccount
from porucheno.settings import Settings
from services.forms import definitions as d
from services.forms import links
from services.privacy import consent

FORMS = OwnItem(
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
    current = await consent.current(turn.session, consent.ACTIVITIES)
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
    if not await consent.telegram_consented(turn.session, account.id, current.version, consent.ACTIVITIES):
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
    await ask(turn, form, await d.fields_of(turn.session, form.id), 0)


async def consent_pressed(
    query: CallbackQuery, callback_data: FormCb, turn: Turn, account: TelegramAccount
) -> None:
    data = await turn.fsm.get_data()
    if data.get("form") != callback_data.form or data.get("pdv") != callback_data.step:
        await outdated(query)
        return
    if await consent.by_version(turn.session, callback_data.step, consent.ACTIVITIES) is None:
        await outdated(query)
        return
    agreed = callback_data.v == "1"
    await consent.log(
        turn.session,
        consent.ConsentEntry(
            channel=consent_channel(turn),
            version=callback_data.step,
            decision=consent.GIVEN if agreed else consent.REFUSED,
            telegram_id=account.id,
            purpose=consent.ACTIVITIES,
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
    form = await live_form(turn, data)
    if form is None:
        return
    await turn.fsm.set_state(FormFill.answering)
    await ask(turn, form, await d.fields_of(turn.session, form.id), 0)
