"""The staff service desk in Telegram: file a request to a service (IT, facilities…), follow one's own
requests, and — for the people of a service — work the queue with SLA clocks.

- «🛠 Service request» (``new_request``): topic → urgency → subject and text → files → confirm;
- «🛠 My service requests» (``cards``): one's own requests, and the service queue for agents; a card
  with its history and the buttons its reader may use; one-tap actions;
- typed actions (``typing``): replies, internal notes, questions, resolving, reopening, cancelling.

Buttons on the notices (``services.service_desk.notices``) are ``sd:<action>:<id>`` and land here.
Every handler runs behind the staff guard; every press reloads the request and re-checks rights.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.menu import ALL_STAFF, MenuButton, OwnItem
from bot.messages import stale_router
from bot.role_guard import RoleGuard, guarded_router
from handlers.service_desk import cards, new_request, typing
from handlers.service_desk.callbacks import DeskCallback, NewCallback
from handlers.service_desk.states import DeskForm
from models import User

NEW = OwnItem(
    "service_request",
    N_("🛠 Service request"),
    roles=ALL_STAFF,
    hint=N_("ask a service (IT, facilities…) for help: the request is numbered and has a time limit"),
    order=50,
)
MINE = OwnItem(
    "service_requests",
    N_("🛠 My service requests"),
    roles=ALL_STAFF,
    hint=N_("your requests to the services; for the people of a service, their queue"),
    order=51,
)
MENU_ITEMS = (NEW, MINE)


def is_staff(user: User | None) -> bool:
    return user is not None and user.is_active


def create_router() -> Router:
    guard = RoleGuard(is_staff, DeskForm, lambda: _("The service desk is for the staff."))
    router = guarded_router("service_desk", guard)
    # Menu buttons first: pressed mid-conversation, they start afresh instead of being taken as answers.
    router.message.register(new_request.start, MenuButton(NEW.key))
    router.message.register(cards.show_mine, MenuButton(MINE.key))
    router.include_routers(new_request.create_router(), typing.create_router(), cards.create_router())
    # Last: presses of a step outside it (an old message, a finished form) or forged ones.
    router.include_router(stale_router("service_desk", DeskCallback.filter(), NewCallback.filter()))
    return router
