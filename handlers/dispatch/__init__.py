"""The duty dispatcher in Telegram: new outages, the published ones, and residents' reports.

Menu items for dispatchers (admins see them too). Every handler of this router runs behind
the guard (``dispatcher_guard``), so forged or stale presses by anyone else are refused before they act.
"""

from __future__ import annotations

from aiogram import Router

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import stale_router
from bot.role_guard import guarded_router
from handlers.dispatch import addresses, new_outage, news, outages, publish, record, restored, signals, times
from handlers.dispatch.callbacks import HouseCallback, StepCallback
from handlers.dispatch.guard import dispatcher_guard
from models.enums import Role

DISPATCHERS = frozenset({Role.DISPATCHER})
NEW_OUTAGE = MenuItem(
    "dispatch_new",
    N_("New outage"),
    roles=DISPATCHERS,
    hint=N_("announce an emergency or planned outage to the residents of the houses"),
    order=40,
)
ACTIVE_OUTAGES = MenuItem(
    outages.ACTIVE_KEY,
    N_("Active outages"),
    roles=DISPATCHERS,
    hint=N_("extend, add or remove houses, resolve or cancel an outage"),
    order=41,
)
RESIDENT_REPORTS = MenuItem(
    signals.SIGNALS_KEY,
    N_("Residents' reports"),
    roles=DISPATCHERS,
    hint=N_("link reports to an outage, create one from them, or dismiss them"),
    order=42,
)
MENU_ITEMS = (NEW_OUTAGE, ACTIVE_OUTAGES, RESIDENT_REPORTS)


def create_router() -> Router:
    router = guarded_router("dispatch", dispatcher_guard())
    router.message.register(new_outage.start, MenuButton(NEW_OUTAGE.key))
    router.include_routers(
        new_outage.create_router(),
        addresses.create_router(),
        times.create_router(),
        publish.create_router(),
        record.create_router(),
        news.create_router(),
        restored.create_router(),
        outages.create_router(),
        signals.create_router(),
    )
    # Last: stale or forged presses of the conversation, outside its step (an old message, a finished
    # draft); the guard refuses non-dispatchers first.
    router.include_router(stale_router("dispatch", StepCallback.filter(), HouseCallback.filter()))
    return router
