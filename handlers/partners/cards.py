"""An organisation's card of an incident or outage: «✅ Acknowledge» and «📝 Report».

The first card comes through the outbox (``update_notices.notify_assigned``); a press redraws it
from the database in the same form, with who took it, so the card always tells the current state.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import outdated, refuse, show_in_place
from bot.turn import Turn
from handlers.partners.callbacks import OrgAction, OrgCallback
from models import Incident, Outage, User
from services.errors import DomainError, NotFound
from services.html_cut import cut_plain
from services.incidents import update_notices, updates
from services.incidents.updates import Target
from services.notify import NoticeContext, Translator, html_escape
from services.partners import work


def target_of(callback_data: OrgCallback) -> Target | None:
    try:
        return Target.parse(callback_data.kind, callback_data.id)
    except NotFound:
        return None


def card_markup(target: Target, t: Translator, *, acknowledged: bool) -> InlineKeyboardMarkup:
    report = InlineKeyboardButton(
        text=t("📝 Report"), callback_data=OrgCallback.of(OrgAction.REPORT, target).pack()
    )
    if acknowledged:
        return InlineKeyboardMarkup(inline_keyboard=[[report]])
    ack = InlineKeyboardButton(
        text=t("✅ Acknowledge"), callback_data=OrgCallback.of(OrgAction.ACK, target).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[ack, report]])


async def card_view(turn: Turn, row: Incident | Outage, target: Target) -> tuple[str, InlineKeyboardMarkup]:
    t, ctx, session = turn.t, turn.notice_ctx, turn.session
    title = t("For your organisation: %(title)s", title=update_notices.title(row, t))
    lines = [f"<b>📌 {html_escape(title)}</b>", ""]
    lines += await update_notices.place_lines(session, row, t)
    if row.description:
        lines += ["", cut_plain(row.description, 1500)]
    if row.expected_end_at is not None:
        lines.append(t("Expected restoration: %(when)s", when=ctx.format_dt(row.expected_end_at)))
    if row.acknowledged_at is not None:
        lines += ["", _taken_line(await work.acknowledged_by(session, target.kind, target.id), row, t, ctx)]
    return "\n".join(lines), card_markup(target, t, acknowledged=row.acknowledged_at is not None)


def _taken_line(who: User | None, row: Incident | Outage, t: Translator, ctx: NoticeContext) -> str:
    assert row.acknowledged_at is not None
    when = ctx.format_dt(row.acknowledged_at)
    if who is not None:
        return t("✅ Taken into work: %(name)s, %(when)s", name=html_escape(who.full_name), when=when)
    return t("✅ Taken into work: %(when)s", when=when)


async def acknowledge(query: CallbackQuery, callback_data: OrgCallback, turn: Turn) -> None:
    t = turn.t
    target = target_of(callback_data)
    if target is None:
        await outdated(query)
        return
    if turn.user is None:
        await refuse(
            query, t("These buttons are for the people of the organisation the work is addressed to.")
        )
        return
    try:
        first = await updates.acknowledge(turn.session, turn.user, target)
        row = await updates.load(turn.session, target)
    except DomainError as exc:
        await refuse(query, exc)
        return
    await query.answer(t("Taken into work.") if first else t("It was already taken into work."))
    text, markup = await card_view(turn, row, target)
    await show_in_place(query, turn.bot, text, markup)
