"""The last line of defence: log the failure, apologise to the user, never show a traceback."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from porucheno.settings import Settings

log = logging.getLogger(__name__)


async def on_error(
    event: ErrorEvent, bot: Bot, i18n: I18n, settings: Settings, locale: str | None = None
) -> bool:
    update, exc = event.update, event.exception
    # Only the id: the update itself may hold personal data or an invite token.
    log.error("update %s failed", update.update_id, exc_info=(type(exc), exc, exc.__traceback__))
    # Handlers run inside the locale middleware's context; this runs outside it, so set it up again.
    with i18n.context(), i18n.use_locale(locale or settings.locale):
        text = _("Something went wrong, we are already looking into it. Please try again a little later.")
    query, message = update.callback_query, update.message
    try:
        if query is not None:
            try:
                await bot.answer_callback_query(query.id, text, show_alert=True)
                return True
            except TelegramAPIError:  # already answered or too old: write to the chat instead
                await bot.send_message(query.from_user.id, text)
        elif message is not None:
            await bot.send_message(message.chat.id, text)
    except TelegramAPIError as api_error:
        log.warning("could not report the failure of update %s to the user: %s", update.update_id, api_error)
    return True


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
