"""«⭐ Applications to review»: a reviewer's applications with what is still to do."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.texts import quote
from bot.turn import Turn
from handlers.applications.callbacks import Act, AppCallback
from services.applications import notices, queries, reviews


async def show(message: Message, turn: Turn) -> None:
    t = turn.t
    if turn.user is None:
        return
    rows = await queries.to_review(turn.session, turn.user)
    if not rows:
        await message.answer(t("You have no applications to review."))
        return
    lines = [t("<b>Applications to review</b>")]
    buttons = []
    for application, review in rows:
        done = t("reviewed") if review.submitted_at else t("to review")
        status = notices.status_name(application.status, t)
        lines.append(f"• {application.number} — {quote(application.title)}: {status} ({done})")
        if application.status in reviews.REVIEWABLE:
            data = AppCallback(action=Act.RATE, id=application.id).pack()
            buttons.append([InlineKeyboardButton(text=f"⭐ {application.number}", callback_data=data)])
    await message.answer(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None
    )
