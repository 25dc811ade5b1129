"""The summary's «Send» and «Cancel»: the answers go to ``services.forms.intake.submit`` (a run key
makes a repeated «Send» one submission); stale and forged presses are answered as outdated.
"""

from __future__ import annotations

import logging

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.attachments import download, too_big_text
from bot.messages import outdated, settle
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from handlers.forms.callbacks import FormCb
from handlers.forms.steps import live_form
from models import TelegramAccount
from models.enums import SubmissionChannel
from porucheno.settings import Settings
from services.errors import DomainError
from services.forms import definitions as d
from services.forms.intake import IncomingFile, SubmissionInput, submit

log = logging.getLogger(__name__)


async def send_pressed(
    query: CallbackQuery, callback_data: FormCb, turn: Turn, account: TelegramAccount, settings: Settings
) -> None:
    data = await turn.fsm.get_data()
    if data.get("form") != callback_data.form:
        await outdated(query)
        return
    form = await live_form(turn, data)
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
                notify=turn.notice_ctx,
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


async def stale(query: CallbackQuery) -> None:
    log.info("stale or forged forms press %r from telegram user %s", query.data, query.from_user.id)
    await outdated(query)
