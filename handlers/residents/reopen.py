"""«Still not restored» under a «supply restored» notice: the report goes back to the dispatcher.

The button carries a signal id, so the service reloads the signal and lets only its own author
reopen it; a second press finds it already waiting and changes nothing.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert
from bot.texts import quote
from handlers.residents.callbacks import SignalCallback
from handlers.residents.texts import address_text, resource_label
from models import Building, OutageSignal, TelegramAccount
from models.enums import SignalStatus
from services.errors import DomainError
from services.outages.signals import reopen_signal

REOPEN = "reopen"


async def reopen(
    query: CallbackQuery,
    callback_data: SignalCallback,
    bot: Bot,
    session: AsyncSession,
    account: TelegramAccount,
) -> None:
    before = await session.get(OutageSignal, callback_data.id)
    waiting = before is not None and before.telegram_id == account.id and before.status == SignalStatus.NEW
    try:
        signal = await reopen_signal(session, account.id, callback_data.id)
    except DomainError as exc:
        await alert(query, exc)
        return
    if waiting:
        await query.answer(_("Your report is already with the dispatcher."))
        return
    await session.commit()  # reopened for the dispatcher before the resident is told so
    await query.answer(_("Passed to the dispatcher."))
    building = await session.get(Building, signal.building_id) if signal.building_id is not None else None
    where = address_text(building) if building is not None else quote(signal.address_text)
    await bot.send_message(
        query.from_user.id,
        _(
            "We are sorry the supply is still not restored. Your report №%(id)s (%(resource)s, %(address)s) "
            "is back with the duty dispatch service."
        )
        % {"id": signal.id, "resource": resource_label(signal.resource), "address": where},
    )


def create_router() -> Router:
    router = Router(name="resident_reopen")
    router.callback_query.register(reopen, SignalCallback.filter(F.action == REOPEN))
    return router
