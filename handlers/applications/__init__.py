"""Applications in the bot (issue #16):

- reviewers get a card with «⭐ Review» (``services.applications.notices``) and score it here
  (``review``): a score per criterion, a comment, a recommendation; «⭐ Applications to review» lists
  their applications;
- applicants see «📨 My applications» (the button on every notice about their application, or
  /applications) with statuses and decisions, and add information when asked (``applicant``).

No item in the persistent menu: most people never apply, and the menu stays as it is; the notices
carry the buttons and /applications shows both lists (one's applications, and those to review).

Every press reloads the application and the services re-check rights; presses outside their step
or forged ones are answered as outdated by the last router.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.menu import MenuItem
from bot.messages import stale_router
from bot.turn import Turn
from handlers.applications import applicant, review, reviewer_list
from handlers.applications.callbacks import AppCallback
from services.applications import queries

MENU_ITEMS: list[MenuItem] = []


async def show_lists(message: Message, turn: Turn) -> None:
    """/applications: one's own applications; for the staff, the ones to review (and their own
    applications only when they have some)."""
    if turn.user is None or await queries.of_applicant(turn.session, turn.chat_id):
        await applicant.show_mine(message, turn)
    if turn.user is not None:
        await reviewer_list.show(message, turn)


def create_router() -> Router:
    router = Router(name="applications")
    # The command first: sent mid-conversation, it starts afresh instead of being taken as an answer.
    router.message.register(show_lists, Command("applications"))
    router.include_routers(review.create_router(), applicant.create_router())
    router.include_router(stale_router("applications", AppCallback.filter()))
    return router
