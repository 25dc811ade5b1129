"""«📋 From a template» at the start of «New assignment»: a template fills the title, text, executor,
deadline (its term on the working-day calendar) and checklist, and the conversation goes straight to
the confirmation card. The template id from the button is never trusted: it is reloaded and must be
active; at «Create» the checklist is copied from the template as it is then."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.messages import outdated, settle
from bot.texts import quote
from bot.turn import Turn
from handlers.assignment_create.callbacks import NewAct, NewCallback
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import ask_deadline, ask_executor, show_confirm
from models import utcnow
from services import directory
from services.errors import NotFound
from services.templates import assignments as templates
from services.work_calendar import store

MAX_LISTED = 30


async def offer(turn: Turn) -> None:
    """Sent under the first prompt, only when there are templates to choose from."""
    if not await templates.list_all(turn.session, active_only=True):
        return
    button = InlineKeyboardButton(
        text=_("📋 From a template"), callback_data=NewCallback(act=NewAct.TEMPLATES).pack()
    )
    await turn.bot.send_message(
        turn.chat_id,
        _("Or start from a ready template:"),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
    )


async def listing(query: CallbackQuery, turn: Turn) -> None:
    rows = (await templates.list_all(turn.session, active_only=True))[:MAX_LISTED]
    if not rows:
        await outdated(query)
        return
    await query.answer()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t.name, callback_data=NewCallback(act=NewAct.TEMPLATE, value=str(t.id)).pack()
                )
            ]
            for t in rows
        ]
    )
    await settle(query, _("📋 From a template"))
    await turn.bot.send_message(turn.chat_id, _("Choose a template:"), reply_markup=markup)


async def pick(query: CallbackQuery, callback_data: NewCallback, state: FSMContext, turn: Turn) -> None:
    session = turn.session
    try:
        template = await templates.get(session, int(callback_data.value), active=True)
    except (ValueError, NotFound):
        await outdated(query)
        return
    calendar = await store.load(session, turn.notice_ctx.tz)
    prefill = templates.apply(template, utcnow(), calendar)
    executor_id = prefill.executor_id
    if executor_id is not None and await directory.active_user(session, executor_id) is None:
        executor_id = None
    await state.update_data(
        title=prefill.title,
        body=prefill.text,
        files=[],
        priority=prefill.priority,
        executor_id=executor_id,
        department_id=prefill.department_id if executor_id is None else None,
        deadline=prefill.deadline.isoformat(),
        template_id=template.id,
        checklist=list(prefill.checklist),
        editing=True,
    )
    await query.answer()
    await settle(query, _("Template: %(name)s") % {"name": quote(template.name)})
    if executor_id is None and prefill.department_id is None:
        await ask_executor(turn)  # the template names no one: choose, then the card
        return
    if prefill.deadline <= utcnow():
        await ask_deadline(turn)
        return
    await show_confirm(turn)


def create_router() -> Router:
    router = Router(name="assignment_create.template")
    on = router.callback_query.register
    on(listing, CreateAssignment.text, NewCallback.filter(F.act == NewAct.TEMPLATES))
    on(pick, CreateAssignment.text, NewCallback.filter(F.act == NewAct.TEMPLATE))
    return router
