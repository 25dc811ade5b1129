"""The dispatcher's approval of an organisation's report: «📢 Publish to residents» or «🗄 Keep internal».

Every dispatcher gets the card (``update_notices.ask_dispatchers``); the first decision counts
(``updates.decide`` refuses a second one), and the card of whoever decided is edited to show the
decision and its author. A later press on another copy is told «Already decided» and that copy is
brought up to date too.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.messages import outdated, refuse, settle
from bot.turn import Turn
from handlers.partners.callbacks import DecideCallback
from models import DispatchUpdate, User
from models.enums import Role, UpdatePublish
from services.errors import DomainError, InvalidInput
from services.html_cut import cut_html
from services.incidents import update_notices, updates
from services.notify import Translator, html_escape


def can_decide(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.DISPATCHER)


def _decision_line(update: DispatchUpdate, who: User | None, t: Translator, when: str) -> str:
    name = html_escape(who.full_name) if who is not None else "—"
    if update.publish == UpdatePublish.PUBLISHED:
        return t("📢 Published to residents: %(name)s, %(when)s", name=name, when=when)
    return t("🗄 Kept in the journal: %(name)s, %(when)s", name=name, when=when)


async def _show_decision(query: CallbackQuery, turn: Turn, update: DispatchUpdate, extra: str = "") -> None:
    who = await turn.session.get(User, update.decided_by_id) if update.decided_by_id else None
    when = turn.notice_ctx.format_dt(update.decided_at) if update.decided_at else "—"
    line = _decision_line(update, who, turn.t, when)
    message = query.message
    # The card as the dispatcher saw it, cut so that the decision still fits in one message.
    body = cut_html(message.html_text, 3500) if isinstance(message, Message) and message.text else ""
    if line in body:  # this copy already tells the decision (a repeated press)
        line = ""
    text = "\n\n".join(part for part in (body, line, extra) if part)
    await settle(query, text)


async def decide(query: CallbackQuery, callback_data: DecideCallback, turn: Turn) -> None:
    t, session = turn.t, turn.session
    if callback_data.action not in ("ok", "no"):
        await outdated(query)
        return
    if not can_decide(turn.user):
        await refuse(query, t("Only a duty dispatcher can decide what residents are told."))
        return
    assert turn.user is not None
    approve = callback_data.action == "ok"
    try:
        update = await updates.decide(session, turn.user, callback_data.id, approve=approve)
    except InvalidInput as exc:
        current = await session.get(DispatchUpdate, callback_data.id)
        if current is None or current.publish not in (UpdatePublish.PUBLISHED, UpdatePublish.REJECTED):
            await refuse(query, exc)
            return
        await query.answer(t("Already decided."), show_alert=True)
        await _show_decision(query, turn, current)
        return
    except DomainError as exc:
        await refuse(query, exc)
        return
    extra = ""
    if update.publish == UpdatePublish.PUBLISHED:
        result = await update_notices.broadcast_update(session, turn.notice_ctx, update)
        extra = t("Notices to residents queued: %(n)s.", n=result.queued)
        await query.answer(t("Published to residents."))
    else:
        await query.answer(t("Kept in the journal."))
    await update_notices.notify_author_decided(session, turn.notice_ctx, update)
    await _show_decision(query, turn, update, extra)
