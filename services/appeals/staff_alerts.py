"""Telling clerks about appeals in their scope: a new appeal, and reminders before its deadlines.

Every message goes through the outbox in the caller's transaction, with a dedup key naming the
appeal, the event and the clerk, so a repeated delivery, a retried job or a restart never tells the
same clerk twice. There is no clerk view of an appeal in the bot, so the button opens the appeal's
page in the panel (``NoticeContext.panel_url``; Telegram refuses link buttons to plain-HTTP local
addresses, so such a link is written in the text instead).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Category, User
from models.enums import AppealChannel, AppealStatus
from services import outbox
from services.appeals import access
from services.appeals.categories import name_in
from services.notify import N_, NoticeContext, Translator, html_escape

SHORT_TEXT = 300
CHANNEL_LABELS: dict[str, str] = {
    AppealChannel.TELEGRAM: N_("Telegram bot"),
    AppealChannel.EMAIL: N_("E-mail"),
    AppealChannel.WEB: N_("Website form"),
    AppealChannel.OPEN311: N_("Open311 app"),
    AppealChannel.PAPER: N_("Paper letter"),
    AppealChannel.PHONE: N_("Phone"),
    AppealChannel.EPGU: N_("Gosuslugi (EPGU)"),
}


def appeal_path(appeal_id: int) -> str:
    return f"/appeals/{appeal_id}"  # the panel's appeal page (admin_web/views/appeals: appeal_page)


async def responsible_clerks(
    session: AsyncSession, appeal: Appeal, clerks: access.ClerkMap | None = None
) -> list[User]:
    """The active clerks with a Telegram account whose scope covers ``appeal``."""
    clerks = clerks or await access.clerk_map(session)
    return await clerks_of_department(session, await access.department_of(session, appeal), clerks)


async def clerks_of_department(
    session: AsyncSession, department_id: int | None, clerks: access.ClerkMap
) -> list[User]:
    """The active clerks with a Telegram account covering appeals of ``department_id``."""
    ids = clerks.responsible(department_id)
    if not ids:
        return []
    query = select(User).where(User.id.in_(ids), User.is_active, User.telegram_id.is_not(None))
    return list((await session.scalars(query.order_by(User.id))).all())


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 1].rstrip() + "…"


def card_lines(
    appeal: Appeal, category: Category | None, t: Translator, ctx: NoticeContext, headline: str
) -> list[str]:
    channel = CHANNEL_LABELS.get(appeal.channel)
    lines = [
        f"<b>{html_escape(headline)}</b>",
        t(N_("Channel: %(channel)s"), channel=t(channel) if channel else appeal.channel),
        t(N_("Topic: %(topic)s"), topic=html_escape(name_in(category, t.locale) if category else None)),
    ]
    if appeal.address:
        lines.append(t(N_("Address: %(address)s"), address=html_escape(appeal.address)))
    if appeal.status == AppealStatus.RECEIVED and appeal.registration_due_at is not None:
        # Not registered yet: the answer term has not started, registration is what is due.
        lines.append(t(N_("Register by: %(date)s"), date=ctx.format_dt(appeal.registration_due_at)))
    else:
        lines.append(t(N_("Answer due: %(date)s"), date=ctx.format_dt(appeal.due_at)))
    summary = _short(appeal.subject or appeal.text)
    if summary:
        lines += ["", html_escape(summary)]
    return lines


def _with_link(lines: list[str], appeal: Appeal, t: Translator, ctx: NoticeContext) -> tuple[str, Any]:
    url = ctx.panel_link(appeal_path(appeal.id))
    markup = None
    if url and url.startswith("https://"):
        markup = {"inline_keyboard": [[{"text": t(N_("Open in the panel")), "url": url}]]}
    elif url:
        lines = [*lines, "", t(N_("In the panel: %(url)s"), url=html_escape(url))]
    return "\n".join(lines), markup


async def _category(session: AsyncSession, appeal: Appeal) -> Category | None:
    return await session.get(Category, appeal.category_id) if appeal.category_id else None


def _message(user: User, text: str, markup: dict[str, Any] | None, dedup_key: str) -> outbox.OutgoingMessage:
    assert user.telegram_id is not None
    message = outbox.text_message(user.telegram_id, text, reply_markup=markup, dedup_key=dedup_key)
    message.payload["parse_mode"] = "HTML"
    return message


async def alert_new_appeal(
    session: AsyncSession, ctx: NoticeContext, appeal: Appeal, *, exclude_user_id: int | None = None
) -> int:
    """Tell every clerk in the appeal's scope (but the one who registered it) about a new appeal."""
    category = await _category(session, appeal)
    messages = []
    for clerk in await responsible_clerks(session, appeal):
        if clerk.id == exclude_user_id:
            continue  # they typed it in themselves
        t = Translator(ctx.locale_of(clerk))
        headline = t(N_("📥 New appeal No. %(number)s"), number=appeal.reg_number)
        text, markup = _with_link(card_lines(appeal, category, t, ctx, headline), appeal, t, ctx)
        messages.append(_message(clerk, text, markup, f"appeal:{appeal.id}:new:{clerk.id}"))
    return await outbox.enqueue_many(session, messages, priority=60)


async def remind(
    session: AsyncSession,
    ctx: NoticeContext,
    appeal: Appeal,
    clerks: Iterable[User],
    *,
    headline: str,
    key: str,
) -> int:
    """One reminder (``headline`` is an msgid with ``%(number)s``/``%(days)s``) to each of ``clerks``."""
    category = await _category(session, appeal)
    messages = []
    for clerk in clerks:
        t = Translator(ctx.locale_of(clerk))
        title = t(headline, number=appeal.reg_number)
        text, markup = _with_link(card_lines(appeal, category, t, ctx, title), appeal, t, ctx)
        messages.append(_message(clerk, text, markup, f"{key}:{clerk.id}"))
    return await outbox.enqueue_many(session, messages, priority=90)
