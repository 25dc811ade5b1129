"""«Work of the organisation»: the open incidents and outages addressed to the person's organisation,
one card each with the same two buttons as the card that first brought it."""

from __future__ import annotations

from aiogram.types import Message

from bot.turn import Turn
from handlers.partners.cards import card_view
from handlers.partners.states import OrgReport
from services.incidents.updates import Target
from services.partners import work
from services.partners.members import organisation_of

WORK_KEY = "partners_work"


async def show(message: Message, turn: Turn) -> None:
    t, session = turn.t, turn.session
    if await turn.fsm.get_state() in OrgReport.__all_states_names__:
        await turn.fsm.clear()  # the list leaves a report begun and not sent
    org = await organisation_of(session, turn.user)
    if org is None or not org.is_active:
        await message.answer(t("This list is for the people of an organisation working with the ЕДДС."))
        return
    items = await work.open_work(session, org.id)
    name = org.short_name or org.name
    if not items:
        await message.answer(
            t("Nothing is addressed to «%(org)s» now. New work will come as a message.", org=name)
        )
        return
    head = t("Addressed to «%(org)s» and not closed: %(n)s.", org=name, n=len(items))
    if len(items) > work.WORK_LIMIT:
        head += "\n" + t(
            "The first %(n)s are shown below: untaken ones first, then the newest.", n=work.WORK_LIMIT
        )
    await message.answer(head)
    for item in items[: work.WORK_LIMIT]:
        text, markup = await card_view(turn, item.row, Target(item.kind, item.row.id))
        await turn.bot.send_message(turn.chat_id, text, reply_markup=markup)
