"""The ЕДДС's incident journal in Telegram: new incidents, the open ones, residents' incident reports.

Menu items for dispatchers (admins see them too). Every handler of this router runs behind the guard
(``incident_guard``), so forged or stale presses by anyone else are refused before they act.
"""

from __future__ import annotations

from aiogram import Router

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import stale_router
from bot.role_guard import guarded_router
from handlers.incidents import cards, new_incident, place, reports
from handlers.incidents.callbacks import StepCallback
from handlers.incidents.guard import incident_guard
from models.enums import Role

DISPATCHERS = frozenset({Role.DISPATCHER})
NEW_INCIDENT = MenuItem(
    "incidents_new",
    N_("New incident"),
    roles=DISPATCHERS,
    hint=N_("log a road accident, a fallen tree, a sewer break… in the ЕДДС journal"),
    order=43,
)
OPEN_INCIDENTS = MenuItem(
    cards.OPEN_KEY,
    N_("Incidents"),
    roles=DISPATCHERS,
    hint=N_("open incidents and residents' reports of them: actions, handing over, closing"),
    order=44,
)
MENU_ITEMS = (NEW_INCIDENT, OPEN_INCIDENTS)


def create_router() -> Router:
    router = guarded_router("incidents", incident_guard())
    # Menu buttons first: pressed mid-conversation, they start afresh instead of being taken as answers.
    router.message.register(new_incident.start, MenuButton(NEW_INCIDENT.key))
    router.message.register(cards.show_list, MenuButton(OPEN_INCIDENTS.key))
    router.include_routers(
        new_incident.create_router(),
        place.create_router(),
        cards.create_router(),
        reports.create_router(),
    )
    # Last: presses of the conversation outside its step (an old message, a finished draft).
    router.include_router(stale_router("incidents", StepCallback.filter()))
    return router
