"""Rating the final answer: the 1–5 buttons under it (``apl:rate:<id>:<n>``).

The service checks that the presser is the appeal's own correspondent and that it is rated once;
a refusal is an alert, and a repeated press also takes the stale buttons away.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert, drop_buttons_of
from handlers.appeals.callbacks import AppealRateCallback
from services.appeals import queries
from services.appeals.workflow import rate_appeal
from services.errors import DomainError


async def rate(
    query: CallbackQuery, callback_data: AppealRateCallback, bot: Bot, session: AsyncSession
) -> None:
    message_id = query.message.message_id if query.message else None
    try:
        appeal = await rate_appeal(
            session, callback_data.id, telegram_id=query.from_user.id, rating=callback_data.n
        )
    except DomainError as exc:
        await alert(query, exc)
        # Already rated by this very resident: the buttons under the answer are stale now.
        try:
            own = await queries.appeal_for_telegram_user(session, callback_data.id, query.from_user.id)
        except DomainError:
            own = None
        if own is not None and own.rating is not None:
            await drop_buttons_of(bot, query.from_user.id, message_id)
        return
    await query.answer(_("Thank you for your rating!"))
    await drop_buttons_of(bot, query.from_user.id, message_id)
    await bot.send_message(
        query.from_user.id,
        _("Thank you! You rated the answer to appeal №%(number)s: %(n)d of 5.")
        % {"number": appeal.reg_number, "n": callback_data.n},
    )


def create_router() -> Router:
    router = Router(name="appeals.rating")
    router.callback_query.register(rate, AppealRateCallback.filter(F.action == "rate"))
    return router
