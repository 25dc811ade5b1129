"""Applications in the bot (issue #16):

- reviewers get a card with «⭐ Review» (``services.applications.notices``) and score it here
  (``review``): a score per criterion, a comment, a recommendation; «⭐ Applications to review» lists
  their applications;
- applicants see «📨 My applications» with statuses and decisions, and add information when asked
  (``applicant``).

Every press reloads the application and the services re-check rights; presses outside their step
or forged ones are answered as outdated by the last router.
"""

from __future__ import annotations

from aiogram import Router

from bot.i18n import N_
from bot.menu import ALL_STAFF, MenuButton, MenuItem
from bot.messages import stale_router
from handlers.applications import applicant, review, reviewer_list
from handlers.applications.callbacks import AppCallback

MINE = MenuItem(
    "my_applications",
    N_("📨 My applications"),
    residents=True,
    hint=N_("your applications (for example, to the registry of monuments) and their decisions"),
    order=60,
)
TO_REVIEW = MenuItem(
    "applications_to_review",
    N_("⭐ Applications to review"),
    roles=ALL_STAFF,
    hint=N_("the applications you are appointed to review"),
    order=62,
)
MENU_ITEMS: list[MenuItem] = [MINE, TO_REVIEW]


def create_router() -> Router:
    router = Router(name="applications")
    # Menu buttons first: pressed mid-conversation, they start afresh instead of being taken as answers.
    router.message.register(applicant.show_mine, MenuButton(MINE.key))
    router.message.register(reviewer_list.show, MenuButton(TO_REVIEW.key))
    router.include_routers(review.create_router(), applicant.create_router())
    router.include_router(stale_router("applications", AppCallback.filter()))
    return router
