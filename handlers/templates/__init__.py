"""Answer templates on service requests, for the service's agents.

``tpl:req:<request>`` (a button on the agent's request card) lists the templates of the request's
topic and the common ones; picking one shows its text with «Send as a reply» (a public comment) and
«Resolve with this text». Every press reloads the request and the template and re-checks that the
user is an agent of the request and that the template applies to its topic: payloads are not trusted.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.messages import drop_buttons, outdated
from bot.texts import domain_error_text, quote
from bot.turn import Turn
from models import AnswerTemplate, ServiceRequest, User
from services.errors import DomainError, NotFound
from services.service_desk import access, requests, resolution
from services.templates import answers

PREFIX = "tpl"
MAX_LISTED = 30
PREVIEW_LIMIT = 3500  # a Telegram message holds 4096 characters, with the header and the buttons


def cb(act: str, request_id: int, template_id: int | None = None) -> str:
    parts = [PREFIX, act, str(request_id)] + ([str(template_id)] if template_id is not None else [])
    return ":".join(parts)


def templates_button(request_id: int) -> InlineKeyboardButton:
    """For the agent's request card (handlers/service_desk): opens this router's list."""
    return InlineKeyboardButton(text=_("📝 Answer templates"), callback_data=cb("req", request_id))


def _parse(data: str | None) -> tuple[str, int, int | None] | None:
    parts = (data or "").split(":")
    if len(parts) not in (3, 4) or parts[0] != PREFIX or not all(p.isdigit() for p in parts[2:]):
        return None
    return parts[1], int(parts[2]), int(parts[3]) if len(parts) == 4 else None


async def _request(turn: Turn, user: User | None, request_id: int) -> ServiceRequest | None:
    if user is None:
        return None
    try:
        request = await requests.load(turn.session, request_id)
    except NotFound:
        return None
    return request if await access.is_agent(turn.session, user, request) else None


async def _template(turn: Turn, request: ServiceRequest, template_id: int | None) -> AnswerTemplate | None:
    template = await turn.session.get(AnswerTemplate, template_id) if template_id is not None else None
    return template if template is not None and answers.applies_to(template, request.topic_id) else None


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


async def on_press(query: CallbackQuery, user: User | None, turn: Turn) -> None:
    parsed = _parse(query.data)
    request = await _request(turn, user, parsed[1]) if parsed is not None else None
    if parsed is None or request is None or user is None:
        await outdated(query)
        return
    act, _request_id, template_id = parsed
    if act == "req":
        await _list(query, turn, request)
        return
    template = await _template(turn, request, template_id)
    if template is None:
        await outdated(query)
        return
    if act == "show":
        await _show(query, turn, request, template)
    elif act in ("send", "solve"):
        await _use(query, turn, user, request, template, resolve=act == "solve")
    else:
        await outdated(query)


async def _list(query: CallbackQuery, turn: Turn, request: ServiceRequest) -> None:
    rows = (await answers.for_service_request(turn.session, request.topic_id))[:MAX_LISTED]
    await query.answer()
    if not rows:
        await turn.bot.send_message(turn.chat_id, _("There are no answer templates for this topic."))
        return
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[_button(t.title, cb("show", request.id, t.id))] for t in rows]
    )
    await turn.bot.send_message(
        turn.chat_id,
        _("Answer templates for request №%(number)s:") % {"number": quote(request.number or str(request.id))},
        reply_markup=markup,
    )


async def _show(query: CallbackQuery, turn: Turn, request: ServiceRequest, template: AnswerTemplate) -> None:
    await query.answer()
    body = template.body if len(template.body) <= PREVIEW_LIMIT else template.body[:PREVIEW_LIMIT] + "…"
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(_("Send as a reply"), cb("send", request.id, template.id))],
            [_button(_("Resolve with this text"), cb("solve", request.id, template.id))],
        ]
    )
    await turn.bot.send_message(
        turn.chat_id, f"<b>{quote(template.title)}</b>\n\n{quote(body)}", reply_markup=markup
    )


async def _use(
    query: CallbackQuery,
    turn: Turn,
    user: User,
    request: ServiceRequest,
    template: AnswerTemplate,
    *,
    resolve: bool,
) -> None:
    await query.answer()
    number = request.number or str(request.id)
    try:
        if resolve:
            await resolution.resolve(turn.session, user, request.id, template.body, ctx=turn.notice_ctx)
            done = _("Request №%(number)s resolved with the template «%(title)s».")
        else:
            await resolution.comment(turn.session, user, request.id, template.body, ctx=turn.notice_ctx)
            done = _("The template «%(title)s» was sent as a reply on request №%(number)s.")
    except DomainError as exc:
        await turn.bot.send_message(turn.chat_id, domain_error_text(exc))
        return
    await drop_buttons(query)
    await turn.bot.send_message(
        turn.chat_id, done % {"number": quote(number), "title": quote(template.title)}
    )


def create_router() -> Router:
    router = Router(name="templates")
    router.callback_query.register(on_press, F.data.startswith(PREFIX + ":"))
    return router
