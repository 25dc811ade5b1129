"""«Residents' reports»: the queue of waiting signals grouped by house and resource.

A group is named in buttons by one of its signal ids; each press rebuilds the queue and finds the
group again, so a group handled meanwhile (by another dispatcher, in the panel) is not acted on twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import MenuButton
from bot.messages import alert, outdated, show_in_place
from bot.turn import Turn
from handlers.dispatch import keyboards
from handlers.dispatch.callbacks import SignalAct, SignalCallback
from handlers.dispatch.common import actor
from handlers.dispatch.states import Mode
from handlers.dispatch.steps import ask_addresses, ask_time
from models import OutageSignal
from models.enums import OutageKind
from services.errors import DomainError
from services.html_cut import cut_plain
from services.notify import NoticeContext, Translator, html_escape
from services.outages import listing, signals
from services.outages.card import resource_label
from services.outages.notices import address
from services.outages.signals import SignalGroup

SIGNALS_KEY = "dispatch_signals"
TEXTS_SHOWN = 5


def group_address(group: SignalGroup, t: Translator) -> str:
    if group.building is not None:
        return address(group.building)
    return t("«%(text)s» (not in the register)", text=group.address_text or "")


async def queue_view(
    session: AsyncSession, page: int, t: Translator, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    groups = await signals.signal_queue(session)
    page, pages = keyboards.page_bounds(len(groups), page, keyboards.LIST_PAGE)
    shown = groups[page * keyboards.LIST_PAGE : (page + 1) * keyboards.LIST_PAGE]
    lines = [note, ""] if note else []
    lines.append(t("<b>Residents' reports</b>: waiting %(n)s", n=sum(g.count for g in groups)))
    if not groups:
        lines += ["", t("No reports are waiting.")]
    labels = []
    for g in shown:
        label = f"{resource_label(g.resource, t)} — {group_address(g, t)} ({g.count})"
        labels.append((g.signal_ids[0], label))
    return "\n".join(lines), keyboards.signal_list_markup(labels, page, pages)


async def group_view(
    session: AsyncSession, group: SignalGroup, t: Translator, ctx: NoticeContext
) -> tuple[str, InlineKeyboardMarkup]:
    rows = (
        await session.scalars(
            select(OutageSignal).where(OutageSignal.id.in_(group.signal_ids)).order_by(OutageSignal.id)
        )
    ).all()
    lines = [
        f"<b>{html_escape(group_address(group, t))}</b>",
        t("Resource: %(name)s", name=resource_label(group.resource, t)),
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
    if group.reopened:
        lines.append(t("Came back after a restoration: %(n)s", n=group.reopened))
    if group.open_outage_ids:
        lines.append(
            t("Open outages at this house: %(list)s", list=", ".join(f"№{i}" for i in group.open_outage_ids))
        )
    texts = [s.text for s in rows if s.text][:TEXTS_SHOWN]
    if texts:
        lines += ["", *(f"— {cut_plain(text, 300)}" for text in texts)]
    markup = keyboards.signal_card_markup(group.signal_ids[0], t, can_create=True)
    return "\n".join(lines), markup


async def show_queue(message: Message, turn: Turn) -> None:
    text, markup = await queue_view(turn.session, 0, turn.t)
    await message.answer(text, reply_markup=markup)


async def _group(session: AsyncSession, sid: int) -> SignalGroup | None:
    return next((g for g in await signals.signal_queue(session) if sid in g.signal_ids), None)


# A press on a group of reports: the message, the turn, the group found again, the press's data.
Action = Callable[[CallbackQuery, Turn, SignalGroup, SignalCallback], Awaitable[None]]


async def _open(query: CallbackQuery, turn: Turn, group: SignalGroup, data: SignalCallback) -> None:
    await query.answer()
    await show_in_place(query, turn.bot, *await group_view(turn.session, group, turn.t, turn.notice_ctx))


async def _link(query: CallbackQuery, turn: Turn, group: SignalGroup, data: SignalCallback) -> None:
    t = turn.t
    outages = await listing.published_outages(turn.session, group.resource)
    if not outages:
        await alert(query, t("There is no active outage of this resource. Create one from these reports."))
        return
    here = set(group.open_outage_ids)
    outages = sorted(outages, key=lambda o: o.id not in here)
    choices = [
        (
            o.id,
            ("📍 " if o.id in here else "")
            + t("№%(id)s since %(when)s", id=o.id, when=turn.notice_ctx.format_dt(o.starts_at)),
        )
        for o in outages[: keyboards.LIST_PAGE]
    ]
    await query.answer()
    text = t("Link these reports to which outage? 📍 marks outages that already include this house.")
    await show_in_place(query, turn.bot, text, keyboards.link_choices_markup(group.signal_ids[0], choices, t))


async def _link_to(query: CallbackQuery, turn: Turn, group: SignalGroup, data: SignalCallback) -> None:
    t = turn.t
    try:
        outage = await listing.published_outage(turn.session, data.oid)
        n = await signals.link_signals(turn.session, actor(turn), group.signal_ids, outage.id)
    except DomainError as exc:
        await alert(query, exc)
        return
    await query.answer(t("Done."))
    note = t(
        "Reports linked to outage №%(id)s: %(n)s. Their authors will hear when supply is restored.",
        id=outage.id,
        n=n,
    )
    await show_in_place(query, turn.bot, *await queue_view(turn.session, 0, t, note))


async def _create(query: CallbackQuery, turn: Turn, group: SignalGroup, data: SignalCallback) -> None:
    await query.answer()
    state = turn.fsm
    await state.clear()
    building_ids = [group.building.id] if group.building is not None else []
    await state.update_data(
        mode=Mode.SIGNALS,
        kind=OutageKind.ACCIDENT,
        resource=group.resource,
        signal_ids=group.signal_ids,
        buildings=building_ids,
    )
    if building_ids:
        await ask_time(turn, "start")
    else:
        await ask_addresses(turn)


async def _ask_dismiss(query: CallbackQuery, turn: Turn, group: SignalGroup, data: SignalCallback) -> None:
    t = turn.t
    await query.answer()
    text = t(
        "Dismiss these %(n)s reports? They leave the queue; their authors are not notified.",
        n=group.count,
    )
    await show_in_place(query, turn.bot, text, keyboards.dismiss_confirm_markup(group.signal_ids[0], t))


async def _dismiss(query: CallbackQuery, turn: Turn, group: SignalGroup, data: SignalCallback) -> None:
    t = turn.t
    n = await signals.dismiss_signals(turn.session, actor(turn), group.signal_ids)
    await query.answer(t("Done."))
    note = t("Reports dismissed: %(n)s.", n=n)
    await show_in_place(query, turn.bot, *await queue_view(turn.session, 0, t, note))


ACTIONS: dict[str, Action] = {
    SignalAct.OPEN: _open,
    SignalAct.LINK: _link,
    SignalAct.LINK_TO: _link_to,
    SignalAct.CREATE: _create,
    SignalAct.DISMISS: _ask_dismiss,
    SignalAct.DISMISS_YES: _dismiss,
}


async def pressed(query: CallbackQuery, callback_data: SignalCallback, turn: Turn) -> None:
    t, act = turn.t, callback_data.act
    if act == SignalAct.LIST:
        await query.answer()
        await show_in_place(query, turn.bot, *await queue_view(turn.session, callback_data.page, t))
        return
    group = await _group(turn.session, callback_data.sid)
    if group is None:
        await alert(query, t("These reports have already been handled."))
        await show_in_place(query, turn.bot, *await queue_view(turn.session, 0, t))
        return
    action = ACTIONS.get(act)
    if action is None:
        await outdated(query)
        return
    await action(query, turn, group, callback_data)


def create_router() -> Router:
    router = Router(name="dispatch.signals")
    router.message.register(show_queue, MenuButton(SIGNALS_KEY))
    router.callback_query.register(pressed, SignalCallback.filter())
    return router
