"""«🎟 Events» in the bot (issue #16): residents and staff see the upcoming events with open
registration, register (a seat or the waiting list), and cancel in «My registrations».

Buttons are ``ev:<action>:<id>:<version>`` (``callbacks``); every press reloads and re-checks, and
presses of an unknown action are answered as outdated by the package's last router.
"""

from __future__ import annotations

from aiogram import F, Router

from bot.i18n import N_
from bot.menu import ALL_STAFF, MenuButton, MenuItem, OwnItem
from bot.messages import stale_router
from handlers.events import browse
from handlers.events.callbacks import Act, EventCallback

EVENTS = OwnItem(
    "events",
    N_("🎟 Events"),
    roles=ALL_STAFF,
    residents=True,
    hint=N_("museum events and programmes: register, join the waiting list, cancel"),
    order=45,
)
MENU_ITEMS: list[MenuItem] = [EVENTS]


def create_router() -> Router:
    router = Router(name="events")
    router.message.register(browse.show_list, MenuButton(EVENTS.key))
    presses = {
        Act.LIST: browse.list_again,
        Act.SHOW: browse.show_event,
        Act.REGISTER: browse.register,
        Act.AGREE: browse.agree,
        Act.DECLINE: browse.decline,
        Act.MINE: browse.show_mine,
        Act.CANCEL: browse.ask_cancel,
        Act.CANCEL_YES: browse.cancel,
    }
    for action, handler in presses.items():
        router.callback_query.register(handler, EventCallback.filter(F.action == action))
    router.include_router(stale_router("events", EventCallback.filter()))
    return router
