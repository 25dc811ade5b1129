"""Step 1: the menu button opens the conversation; the first line of the text is the title."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.turn import Turn
from handlers.assignment_create import template
from handlers.assignment_create.states import CreateAssignment
from handlers.assignment_create.steps import ask_executor, ask_text, text_prompt
from models.enums import Priority
from services.assignments.commands import TEXT_LIMIT, TITLE_LIMIT


def split_text(raw: str) -> tuple[str, str]:
    """(title, body): the first non-empty line and everything after it."""
    title, _sep, body = raw.strip().partition("\n")
    return title.strip(), body.strip()


async def start(message: Message, state: FSMContext, turn: Turn) -> None:
    await state.clear()
    await ask_text(turn)
    await template.offer(turn)


async def got_text(message: Message, state: FSMContext, turn: Turn) -> None:
    title, body = split_text(message.text or "")
    if not title:
        await message.answer(_("The text is empty.") + "\n\n" + text_prompt())
        return
    if len(title) > TITLE_LIMIT:
        await message.answer(
            _(
                "The first line is the title and may be at most %(limit)s characters long; yours has %(n)s. "
                "Shorten it and move the details to the following lines."
            )
            % {"limit": TITLE_LIMIT, "n": len(title)}
        )
        return
    if len(body) > TEXT_LIMIT:
        await message.answer(_("The text is too long: at most %(n)s characters.") % {"n": TEXT_LIMIT})
        return
    if (await state.get_data()).get("adding_point"):
        # A point's text (handlers/assignment_create/points.py): the draft's own text stays.
        await state.update_data(pt_title=title, pt_body=body, editing=False)
    else:
        await state.update_data(
            title=title, body=body, files=[], priority=Priority.NORMAL.value, editing=False
        )
    await ask_executor(turn)


async def hint(message: Message) -> None:
    """Stickers, voice, photos, unknown commands: say what this step needs."""
    await message.answer(_("I am waiting for the text of the assignment.") + "\n\n" + text_prompt())


def create_router() -> Router:
    router = Router(name="assignment_create.text")
    router.message.register(got_text, CreateAssignment.text, F.text, ~F.text.startswith("/"))
    router.message.register(hint, CreateAssignment.text)
    return router
