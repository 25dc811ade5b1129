"""``/stats``: today's figures so far, per role (``services/analytics/readers.py``): managers see
everything, heads and executors assignments (with the trend chart), dispatchers outages, clerks
appeals."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from models import User, utcnow
from models.enums import Role
from services.analytics.digest import render_digest
from services.analytics.digest_sections import ASSIGNMENTS
from services.analytics.digest_send import CAPTION_LIMIT, build_for, trend_chart
from services.analytics.readers import reader_of
from services.notify import NoticeContext, Translator
from services.offload import Offload

# Department heads have no role of their own: the button is for managers, dispatchers and clerks; the
# command is for every reader of a digest (heads, controllers, executors too: services/analytics/readers.py).
STATS = MenuItem(
    "stats",
    N_("Statistics"),
    roles=frozenset({Role.MANAGER, Role.DISPATCHER, Role.CLERK}),
    hint=N_("today's figures"),
    order=60,
)
MENU_ITEMS = (STATS,)


async def show_stats(
    message: Message,
    session: AsyncSession,
    user: User | None,
    notice_ctx: NoticeContext,
    i18n: I18n,
    offload: Offload | None = None,
) -> None:
    reader = await reader_of(session, user) if user is not None else None
    if reader is None:
        await message.answer(_("Statistics are available to staff: managers, heads, dispatchers and clerks."))
        return
    now = utcnow()
    t = Translator(i18n.current_locale)
    digest = await build_for(session, notice_ctx, reader, now=now, day=notice_ctx.local(now).date())
    title = _("Today so far, as of %(time)s") % {"time": notice_ctx.local(now).strftime("%H:%M")}
    text, keyboard = render_digest(
        digest, t, notice_ctx, heading=reader.heading or _("Whole organisation"), title=title
    )
    markup = InlineKeyboardMarkup.model_validate(keyboard) if keyboard["inline_keyboard"] else None
    if ASSIGNMENTS not in reader.sections:  # no assignment trend to draw
        await message.answer(text, reply_markup=markup)
        return
    chart = BufferedInputFile(await trend_chart(digest, t, offload), filename="stats.png")
    if len(text) <= CAPTION_LIMIT:
        await message.answer_photo(chart, caption=text, reply_markup=markup)
    else:
        await message.answer_photo(chart)
        await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name="stats")
    router.message.register(show_stats, Command("stats"))
    router.message.register(show_stats, MenuButton(STATS.key))
    return router
