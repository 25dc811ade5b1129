"""Residents' reports of incidents («a tree fell at Lenina 5»): the queue, grouped by kind and place.

A group is named in buttons by one of its report ids; each press rebuilds the queue and finds the
group again, so a group handled meanwhile (by another dispatcher, in the panel) is not acted on twice.
«Log an incident» starts the new-incident conversation with the kind, the place and the informant
(the first resident, whose Telegram account then hears of the closing) taken from the reports.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import alert, outdated, show_in_place
from bot.turn import Turn
from handlers.incidents import keyboards
from handlers.incidents.callbacks import QueueAct, QueueCallback
from handlers.incidents.common import actor
from handlers.incidents.steps import ask_description
from models import TelegramAccount
from models.enums import InformantKind
from services.html_cut import cut_html, cut_plain
from services.incidents import journal
from services.incidents.kinds import kind_label
from services.incidents.signals import IncidentSignalGroup, incident_signal_group, incident_signal_queue
from services.notify import NoticeContext, Translator, html_escape
from services.outages import signals as outage_signals
from services.outages.notices import address

TEXTS_SHOWN = 5


def group_place(group: IncidentSignalGroup, t: Translator) -> str:
    if group.building is not None:
        return address(group.building)
    return t("«%(text)s» (not in the register)", text=group.address_text or "")


async def queue_view(
    session: AsyncSession, page: int, t: Translator, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    groups = await incident_signal_queue(session)
    page, pages = keyboards.page_bounds(len(groups), page, keyboards.LIST_PAGE)
    shown = groups[page * keyboards.LIST_PAGE : (page + 1) * keyboards.LIST_PAGE]
    lines = [note, ""] if note else []
    lines.append(t("<b>Residents' reports of incidents</b>: waiting %(n)s", n=sum(g.count for g in groups)))
    if not groups:
        lines += ["", t("No reports are waiting.")]
    labels = [(g.signal_ids[0], f"{kind_label(g.kind, t)} — {group_place(g, t)} ({g.count})") for g in shown]
    return "\n".join(lines), keyboards.queue_markup(labels, page, pages, t)


def group_view(
    group: IncidentSignalGroup, t: Translator, ctx: NoticeContext
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        f"<b>{html_escape(group_place(group, t))}</b>",
        kind_label(group.kind, t),
        t("Reports: %(n)s", n=group.count),
    ]
    if group.first_at is not None and group.last_at is not None:
        lines.append(
            t(
                "First: %(first)s, last: %(last)s",
                first=ctx.format_dt(group.first_at),
                last=ctx.format_dt(group.last_at),
            )
        )
    if group.texts:
        lines += ["", *(f"— {cut_plain(text, 300)}" for text in group.texts[:TEXTS_SHOWN])]
    return cut_html("\n".join(lines)), keyboards.group_markup(group.signal_ids[0], t)


# A press on a group of reports: the message, the turn, the group found again.
Action = Callable[[CallbackQuery, Turn, IncidentSignalGroup], Awaitable[None]]


async def _open(query: CallbackQuery, turn: Turn, group: IncidentSignalGroup) -> None:
    await query.answer()
    await show_in_place(query, turn.bot, *group_view(group, turn.t, turn.notice_ctx))


async def _log(query: CallbackQuery, turn: Turn, group: IncidentSignalGroup) -> None:
    """The new-incident conversation, its kind, place and informant taken from the reports."""
    t, state = turn.t, turn.fsm
    await query.answer()
    first = await turn.session.get(TelegramAccount, group.telegram_ids[0]) if group.telegram_ids else None
    name = " ".join(n for n in (first.first_name, first.last_name) if n) if first is not None else ""
    await state.clear()
    await state.update_data(
        kind=group.kind,
        received_at=group.first_at.isoformat() if group.first_at else None,
        building=group.building.id if group.building is not None else None,
        address_text=group.address_text,
        informant_kind=InformantKind.RESIDENT,
        informant_name=name[: journal.NAME_LIMIT] or None,
        informant_phone=(first.phone or None) if first is not None else None,
        informant_telegram=first.id if first is not None else None,
        signal_ids=group.signal_ids,
        signal_text="\n".join(group.texts)[: journal.TEXT_LIMIT] or None,
    )
    await turn.bot.send_message(
        turn.chat_id,
        t("<b>New incident from residents' reports</b>")
        + "\n"
        + t("Kind: %(kind)s", kind=kind_label(group.kind, t))
        + "\n"
        + t("Place: %(place)s", place=html_escape(group_place(group, t))),
        reply_markup=keyboards.cancel_keyboard(t),
    )
    await ask_description(turn)


async def _ask_dismiss(query: CallbackQuery, turn: Turn, group: IncidentSignalGroup) -> None:
    t = turn.t
    await query.answer()
    text = t(
        "Dismiss these %(n)s reports? They leave the queue; their authors are not notified.", n=group.count
    )
    await show_in_place(query, turn.bot, text, keyboards.dismiss_markup(group.signal_ids[0], t))


async def _dismiss(query: CallbackQuery, turn: Turn, group: IncidentSignalGroup) -> None:
    t = turn.t
    n = await outage_signals.dismiss_signals(turn.session, actor(turn), group.signal_ids)
    await query.answer(t("Done."))
    await show_in_place(
        query, turn.bot, *await queue_view(turn.session, 0, t, t("Reports dismissed: %(n)s.", n=n))
    )


ACTIONS: dict[str, Action] = {
    QueueAct.OPEN: _open,
    QueueAct.LOG: _log,
    QueueAct.DISMISS: _ask_dismiss,
    QueueAct.DISMISS_YES: _dismiss,
}


async def pressed(query: CallbackQuery, callback_data: QueueCallback, turn: Turn) -> None:
    t, act = turn.t, callback_data.act
    if act == QueueAct.LIST:
        await query.answer()
        await show_in_place(query, turn.bot, *await queue_view(turn.session, callback_data.page, t))
        return
    action = ACTIONS.get(act)
    if action is None:
        await outdated(query)
        return
    group = await incident_signal_group(turn.session, callback_data.sid)
    if group is None:
        await alert(query, t("These reports have already been handled."))
        await show_in_place(query, turn.bot, *await queue_view(turn.session, 0, t))
        return
    await action(query, turn, group)


def create_router() -> Router:
    router = Router(name="incidents.reports")
    router.callback_query.register(pressed, QueueCallback.filter())
    return router
