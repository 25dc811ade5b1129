"""A reviewer's review in the bot: «⭐ Review» on the card → a score per criterion (typed) → a comment
(or skip) → a recommendation → saved by the service, which checks everything again (an appointed
reviewer, each score within its maximum, the application still in review)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.messages import refuse, settle
from bot.texts import domain_error_text
from bot.turn import Turn
from handlers.applications.callbacks import RECOMMENDATIONS, Act, AppCallback, valid_id
from handlers.applications.states import ReviewForm
from models import Application
from services.applications import access, notices, reviews, types
from services.applications.reviews import COMMENT_MAX, ReviewInput
from services.errors import DomainError, InvalidInput, NotFound
from services.notify import N_

RECOMMENDATION_LABELS = {
    "approved": N_("👍 Approve"),
    "rejected": N_("👎 Reject"),
    "needs_more": N_("❓ Ask for more"),
    "none": N_("No recommendation"),
}


def _button(text: str, action: str, application_id: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AppCallback(action=action, id=application_id).pack())


def _stop_row(turn: Turn) -> list[InlineKeyboardButton]:
    return [_button(turn.t("✖️ Stop"), Act.STOP)]


async def _load(turn: Turn, application_id: int) -> tuple[Application, list[dict[str, Any]]]:
    """The application for this reviewer, in a state that takes reviews; its criteria."""
    if not valid_id(application_id):
        raise NotFound("Application not found.")
    application = await reviews.load_for_review(turn.session, turn.user, application_id)
    if application.status not in reviews.REVIEWABLE:
        raise InvalidInput("The application is not in review now; reviews cannot be changed.")
    kind = await access.type_of(turn.session, application)
    return application, types.criteria_of(kind)


def _ask_score(turn: Turn, criterion: dict[str, Any], step: int, count: int) -> str:
    return turn.t(
        "Score %(step)s of %(count)s — <b>%(name)s</b>: type a whole number from 0 to %(max)s.",
        step=step + 1,
        count=count,
        name=types.criterion_name(criterion, turn.locale),
        max=criterion["max"],
    )


async def start(query: CallbackQuery, callback_data: AppCallback, turn: Turn) -> None:
    try:
        application, criteria = await _load(turn, callback_data.id)
    except DomainError as exc:
        await refuse(query, exc)
        return
    kind = await access.type_of(turn.session, application)
    await turn.fsm.set_state(ReviewForm.score)
    await turn.fsm.set_data({"id": application.id, "step": 0, "scores": {}})
    await query.answer()
    text = (
        notices.headline(application, kind, turn.t) + "\n\n" + _ask_score(turn, criteria[0], 0, len(criteria))
    )
    await turn.bot.send_message(
        turn.chat_id, text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[_stop_row(turn)])
    )


async def got_score(message: Message, turn: Turn) -> None:
    data = await turn.fsm.get_data()
    try:
        _application, criteria = await _load(turn, int(data.get("id") or 0))
    except DomainError as exc:
        await turn.fsm.clear()
        await message.answer(domain_error_text(exc))
        return
    step = int(data.get("step") or 0)
    if step >= len(criteria):  # the type's criteria changed meanwhile: start over
        await turn.fsm.clear()
        await message.answer(turn.t("The criteria of this type changed; please press «⭐ Review» again."))
        return
    try:
        score = reviews.check_score(criteria[step], (message.text or "").strip())
    except InvalidInput as exc:
        await message.answer(
            domain_error_text(exc) + "\n\n" + _ask_score(turn, criteria[step], step, len(criteria))
        )
        return
    scores = {**(data.get("scores") or {}), criteria[step]["key"]: score}
    step += 1
    await turn.fsm.update_data(step=step, scores=scores)
    if step < len(criteria):
        await message.answer(
            _ask_score(turn, criteria[step], step, len(criteria)),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[_stop_row(turn)]),
        )
        return
    await turn.fsm.set_state(ReviewForm.comment)
    await message.answer(
        turn.t("Write a comment for the decision (what is valuable, what is missing)."),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[_button(turn.t("Without a comment"), Act.SKIP)], _stop_row(turn)]
        ),
    )


async def _ask_recommendation(turn: Turn) -> None:
    await turn.fsm.set_state(ReviewForm.recommendation)
    rows = [[_button(turn.t(RECOMMENDATION_LABELS[r]), Act.RECOMMEND + r)] for r in RECOMMENDATIONS]
    rows.append(_stop_row(turn))
    await turn.bot.send_message(
        turn.chat_id, turn.t("Your recommendation?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def got_comment(message: Message, turn: Turn) -> None:
    text = (message.text or "").strip()
    if len(text) > COMMENT_MAX:
        await message.answer(
            turn.t("The comment is too long (at most %(limit)s characters).", limit=COMMENT_MAX)
        )
        return
    await turn.fsm.update_data(comment=text)
    await _ask_recommendation(turn)


async def skip_comment(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await settle(query, turn.t("Without a comment."))
    await turn.fsm.update_data(comment="")
    await _ask_recommendation(turn)


async def recommend(query: CallbackQuery, callback_data: AppCallback, turn: Turn) -> None:
    choice = callback_data.action[len(Act.RECOMMEND) :]
    if choice not in RECOMMENDATIONS:
        await refuse(query, InvalidInput("Choose a recommendation from the list."))
        return
    data = await turn.fsm.get_data()
    assert turn.user is not None  # _load below refuses anyone else; the review needs a staff member
    try:
        review = await reviews.submit_review(
            turn.session,
            int(data.get("id") or 0),
            ReviewInput(
                scores=dict(data.get("scores") or {}),
                comment=str(data.get("comment") or ""),
                recommendation=None if choice == "none" else choice,
            ),
            reviewer=turn.user,
            ctx=turn.notice_ctx,
        )
    except DomainError as exc:
        await turn.fsm.clear()
        await refuse(query, exc)
        return
    await turn.fsm.clear()
    await query.answer()
    await settle(query, turn.t(RECOMMENDATION_LABELS[choice]))
    await turn.bot.send_message(
        turn.chat_id, turn.t("✅ Your review is saved. Total score: %(total)s.", total=review.total)
    )


async def stop(query: CallbackQuery, turn: Turn) -> None:
    await turn.fsm.clear()
    await query.answer()
    await settle(query, turn.t("The review is not sent."))


async def hint(message: Message, turn: Turn) -> None:
    await message.answer(turn.t("Please answer the question above, or press «✖️ Stop»."))


def create_router() -> Router:
    router = Router(name="applications.review")
    router.callback_query.register(start, AppCallback.filter(F.action == Act.RATE))
    router.callback_query.register(stop, ReviewForm.score, AppCallback.filter(F.action == Act.STOP))
    router.callback_query.register(stop, ReviewForm.comment, AppCallback.filter(F.action == Act.STOP))
    router.callback_query.register(stop, ReviewForm.recommendation, AppCallback.filter(F.action == Act.STOP))
    router.callback_query.register(skip_comment, ReviewForm.comment, AppCallback.filter(F.action == Act.SKIP))
    router.callback_query.register(
        recommend, ReviewForm.recommendation, AppCallback.filter(F.action.startswith(Act.RECOMMEND))
    )
    router.message.register(got_score, ReviewForm.score, F.text, ~F.text.startswith("/"))
    router.message.register(got_comment, ReviewForm.comment, F.text, ~F.text.startswith("/"))
    router.message.register(hint, ReviewForm.score)
    router.message.register(hint, ReviewForm.comment)
    router.message.register(hint, ReviewForm.recommendation)
    return router
