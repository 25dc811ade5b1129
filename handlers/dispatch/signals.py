"""«Residents' reports»: the queue of waiting signals grouped by house and resource.

A group is named in buttons by one of its signal ids; each press rebuilds the queue and finds the
group again, so a group handled meanwhile (by another dispatcher, in the panel) is not acted on twice.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dispatch import keyboards
from bot.dispatch.callbacks import SignalAct, SignalCallback
from bot.dispatch.render import resource_label
from bot.dispatch.states import Mode
from bot.menu import MenuButton
from handlers.dispatch.common import alert, show_in_place, tr
from handlers.dispatch.steps import ask_addresses, ask_time
from models import OutageSignal, User
from models.enums import OutageKind
from services.errors import DomainError
from services.notify import NoticeContext, Translator, html_escape
from services.outages import listing, signals
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
        lines += ["", *(f"— {html_escape(text[:300])}" for text in texts)]
    markup = keyboards.signal_card_markup(group.signal_ids[0], t, can_create=True)
    return "\n".join(lines), markup


async def show_queue(message: Message, session: AsyncSession, i18n: I18n) -> None:
    text, markup = await queue_view(session, 0, tr(i18n))
    await message.answer(text, reply_markup=markup)


async def _group(session: AsyncSession, sid: int) -> SignalGroup | None:
    return next((g for g in await signals.signal_queue(session) if sid in g.signal_ids), None)


async def pressed(
    query: CallbackQuery,
    callback_data: SignalCallback,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    notice_ctx: NoticeContext,
    i18n: I18n,
) -> None:
    t, act = tr(i18n), callback_data.act
    if act == SignalAct.LIST:
        await query.answer()
        await show_in_place(query, bot, *await queue_view(session, callback_data.page, t))
        return
    group = await _group(session, callback_data.sid)
    if group is None:
        await alert(query, t("These reports have already been handled."))
        await show_in_place(query, bot, *await queue_view(session, 0, t))
        return
    if act == SignalAct.OPEN:
        await query.answer()
        await show_in_place(query, bot, *await group_view(session, group, t, notice_ctx))
    elif act == SignalAct.LINK:
        outages = await listing.published_outages(session, group.resource)
        if not outages:
            await alert(
                query, t("There is no active outage of this resource. Create one from these reports.")
            )
            return
        here = set(group.open_outage_ids)
        outages = sorted(outages, key=lambda o: o.id not in here)
        choices = [
            (
                o.id,
                ("📍 " if o.id in here else "")
                + t("№%(id)s since %(when)s", id=o.id, when=notice_ctx.format_dt(o.starts_at)),
            )
            for o in outages[: keyboards.LIST_PAGE]
        ]
        await query.answer()
        text = t("Link these reports to which outage? 📍 marks outages that already include this house.")
        await show_in_place(query, bot, text, keyboards.link_choices_markup(group.signal_ids[0], choices, t))
    elif act == SignalAct.LINK_TO:
        try:
            outage = await listing.published_outage(session, callback_data.oid)
            n = await signals.link_signals(session, user, group.signal_ids, outage.id)
        except DomainError as exc:
            await alert(query, exc)
            return
        await query.answer(t("Done."))
        note = t(
            "Reports linked to outage №%(id)s: %(n)s. Their authors will hear when supply is restored.",
            id=outage.id,
            n=n,
        )
        await show_in_place(query, bot, *await queue_view(session, 0, t, note))
    elif act == SignalAct.CREATE:
        await query.answer()
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
            await ask_time(bot, query.from_user.id, state, t, "start")
        else:
            await ask_addresses(bot, query.from_user.id, state, session, t)
    elif act == SignalAct.DISMISS:
        await query.answer()
        text = t(
            "Dismiss these %(n)s reports? They leave the queue; their authors are not notified.",
            n=group.count,
        )
        await show_in_place(query, bot, text, keyboards.dismiss_confirm_markup(group.signal_ids[0], t))
    elif act == SignalAct.DISMISS_YES:
        n = await signals.dismiss_signals(session, user, group.signal_ids)
        await query.answer(t("Done."))
        await show_in_place(query, bot, *await queue_view(session, 0, t, t("Reports dismissed: %(n)s.", n=n)))
    else:
        await alert(query, t("This button is outdated. Please use the current menu."))


def create_router() -> Router:
    router = Router(name="dispatch.signals")
    router.message.register(show_queue, MenuButton(SIGNALS_KEY))
    router.callback_query.register(pressed, SignalCallback.filter())
    return router
