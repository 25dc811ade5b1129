"""«My requests», the service's queue, a request's card and its one-tap actions (take, confirm, rate,
urgency). Typed actions (a reply, a question, what was done…) are in ``typing``.

Nothing from a press is trusted: the request is reloaded, visibility checked (a foreign id reads as
«not found»), and the services refuse stale or forbidden actions with a message, never a traceback.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.materials import send_files
from bot.messages import alert, refuse, show_in_place
from bot.texts import quote
from bot.turn import Turn
from handlers.service_desk import render
from handlers.service_desk.callbacks import Act, DeskCallback, NewAct, NewCallback, valid_id
from models import ServiceRequest, User
from models.enums import ServiceUrgency
from porucheno.settings import Settings
from services.errors import DomainError, NotFound
from services.service_desk import access, queries, requests, resolution


def me(turn: Turn) -> User:
    if turn.user is None:
        raise RuntimeError("a service-desk update from an unknown user passed the guard")
    return turn.user


async def card(turn: Turn, request: ServiceRequest) -> tuple[str, InlineKeyboardMarkup]:
    user = me(turn)
    agent = await access.is_agent(turn.session, user, request)
    text = await render.card_text(turn, request, agent=agent)
    return text, await render.card_markup(turn, request, user, agent=agent)


async def send_card(turn: Turn, request: ServiceRequest, head: str | None = None) -> None:
    text, markup = await card(turn, request)
    await turn.bot.send_message(turn.chat_id, f"{head}\n\n{text}" if head else text, reply_markup=markup)


async def visible(query: CallbackQuery, turn: Turn, request_id: int) -> ServiceRequest | None:
    """The request if this person may see it; otherwise the press is refused as «not found»."""
    if not valid_id(request_id):
        await refuse(query, NotFound("Request not found."))
        return None
    try:
        return await requests.load_visible(turn.session, me(turn), request_id)
    except DomainError as exc:
        await refuse(query, exc)
        return None


async def refused_with_card(query: CallbackQuery, turn: Turn, exc: DomainError, request_id: int) -> None:
    """A refused action: say why, and put the request's current state in place of the old card."""
    await refuse(query, exc)
    try:
        request = await requests.load_visible(turn.session, me(turn), request_id)
    except DomainError:
        return
    text, markup = await card(turn, request)
    await show_in_place(query, turn.bot, text, markup)


# -- lists ------------------------------------------------------------------------------------------


async def mine_view(turn: Turn) -> tuple[str, InlineKeyboardMarkup]:
    t, user = turn.t, me(turn)
    rows = list(await queries.mine(turn.session, user))
    calendar = await render.calendar_of(turn)
    buttons = [[render.button(render.row_label(r, calendar), Act.OPEN, r.id)] for r in rows]
    text = t("<b>My service requests</b>")
    text += "\n\n" + (
        t("Tap a request to see its history and what you can do.") if rows else t("You have no requests yet.")
    )
    start = NewCallback(act=NewAct.START).pack()
    buttons.append([InlineKeyboardButton(text=t("➕ New request"), callback_data=start)])
    if await access.is_agent_anywhere(turn.session, user):
        buttons.append([render.button(t("📥 Service queue"), Act.QUEUE)])
    return text, InlineKeyboardMarkup(inline_keyboard=buttons)


async def show_mine(message: Message, turn: Turn) -> None:
    text, markup = await mine_view(turn)
    await message.answer(text, reply_markup=markup)


async def mine_pressed(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    text, markup = await mine_view(turn)
    await show_in_place(query, turn.bot, text, markup)


async def queue_pressed(query: CallbackQuery, turn: Turn) -> None:
    t, user = turn.t, me(turn)
    if not await access.is_agent_anywhere(turn.session, user):
        await alert(query, t("The queue is for the people of a service."))
        return
    await query.answer()
    found = await queries.queue(turn.session, user)
    calendar = await render.calendar_of(turn)
    rows: list[list[InlineKeyboardButton]] = []
    lines = [t("<b>Service queue</b>"), t("⚠️ overdue · ⏸ waiting for the requester")]
    for title, part in (
        (t("New: %(n)s", n=len(found.new)), found.new),
        (t("Mine in work: %(n)s", n=len(found.in_work)), found.in_work),
        (t("Mine waiting: %(n)s", n=len(found.waiting)), found.waiting),
    ):
        lines.append(title)
        rows += [[render.button(render.row_label(r, calendar), Act.OPEN, r.id)] for r in part]
    rows.append([render.button(t("« My requests"), Act.MINE)])
    await show_in_place(query, turn.bot, "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


# -- a card and one-tap actions ---------------------------------------------------------------------


async def open_card(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    await query.answer()
    text, markup = await card(turn, request)
    await show_in_place(query, turn.bot, text, markup)


async def take(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    # «Take» on a new request's notice must not take it over from a colleague who was quicker.
    expected = "new" if callback_data.action == Act.TAKE else "in_work"
    try:
        request = await requests.take(
            turn.session, me(turn), request.id, ctx=turn.notice_ctx, expected_status=expected
        )
    except DomainError as exc:
        await refused_with_card(query, turn, exc, callback_data.id)
        return
    await query.answer(turn.t("The request is yours now."))
    text, markup = await card(turn, request)
    await show_in_place(query, turn.bot, text, markup)


async def confirm(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    try:
        request = await resolution.confirm(turn.session, me(turn), request.id, ctx=turn.notice_ctx)
    except DomainError as exc:
        await refused_with_card(query, turn, exc, callback_data.id)
        return
    await query.answer()
    text = turn.t("Thank you! Request № %(number)s is closed. How well was it done?", number=request.number)
    await show_in_place(query, turn.bot, text, render.stars_markup(request.id))


async def ask_rating(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    await query.answer()
    text = turn.t("How well was request № %(number)s done?", number=request.number)
    await show_in_place(query, turn.bot, text, render.stars_markup(request.id))


async def rate(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    raw = callback_data.action.removeprefix(Act.STARS)
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    if not raw.isdigit():
        await refuse(query, turn.t("Rate from 1 to 5."))
        return
    try:
        request = await resolution.rate(turn.session, me(turn), request.id, int(raw), ctx=turn.notice_ctx)
    except DomainError as exc:
        await refused_with_card(query, turn, exc, callback_data.id)
        return
    await query.answer(turn.t("Thank you for the rating!"))
    text, markup = await card(turn, request)
    await show_in_place(query, turn.bot, text, markup)


async def urgency_choices(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    if not await access.is_agent(turn.session, me(turn), request):
        await refuse(query, turn.t("Only the service that handles this request can do this."))
        return
    await query.answer()
    text = turn.t("Request № %(number)s: choose the urgency.", number=request.number)
    await show_in_place(query, turn.bot, text, render.urgency_markup(turn.t, request))


async def set_urgency(query: CallbackQuery, callback_data: DeskCallback, turn: Turn) -> None:
    urgency = callback_data.action.removeprefix(Act.SET_URGENCY)
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    if urgency not in set(ServiceUrgency):
        await refuse(query, turn.t("Choose the urgency from the list."))
        return
    try:
        if urgency != request.urgency:
            request = await requests.change_urgency(
                turn.session, me(turn), request.id, urgency, ctx=turn.notice_ctx
            )
    except DomainError as exc:
        await refused_with_card(query, turn, exc, callback_data.id)
        return
    await query.answer()
    text, markup = await card(turn, request)
    await show_in_place(query, turn.bot, text, markup)


async def send_request_files(
    query: CallbackQuery, callback_data: DeskCallback, turn: Turn, settings: Settings
) -> None:
    """The request's photos and documents into the chat (internal notes' files only to the service)."""
    request = await visible(query, turn, callback_data.id)
    if request is None:
        return
    agent = await access.is_agent(turn.session, me(turn), request)
    files = await queries.files_seen(turn.session, request.id, agent=agent)
    if not files:
        await query.answer(turn.t("This request has no files."), show_alert=True)
        return
    await query.answer()
    failed = await send_files(
        turn.bot, turn.session, turn.chat_id, files, settings.files_dir, unnamed=turn.t("file")
    )
    lines = [turn.t("Files of request № %(number)s.", number=request.number)]
    if failed:
        lines.append(turn.t("Could not send: %(names)s.", names=quote(", ".join(failed))))
    await turn.bot.send_message(turn.chat_id, "\n".join(lines))


def create_router() -> Router:
    router = Router(name="service_desk.cards")
    on = router.callback_query.register
    on(mine_pressed, DeskCallback.filter(F.action == Act.MINE))
    on(queue_pressed, DeskCallback.filter(F.action == Act.QUEUE))
    on(open_card, DeskCallback.filter(F.action == Act.OPEN))
    on(send_request_files, DeskCallback.filter(F.action == Act.FILES))
    on(take, DeskCallback.filter(F.action.in_({Act.TAKE, Act.TAKE_OVER})))
    on(confirm, DeskCallback.filter(F.action == Act.CONFIRM))
    on(ask_rating, DeskCallback.filter(F.action == Act.RATE))
    on(rate, DeskCallback.filter(F.action.startswith(Act.STARS) & (F.action.len() == 2)))
    on(urgency_choices, DeskCallback.filter(F.action == Act.URGENCY))
    on(set_urgency, DeskCallback.filter(F.action.startswith(Act.SET_URGENCY)))
    return router
