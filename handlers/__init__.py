"""Feature routers and the menu items they contribute.

Order matters: ``/cancel`` and ``/menu`` must win over any conversation state, ``/start`` resets
one, and the fallback only sees what no feature took.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from bot.menu import Menu
from handlers import (
    appeals,
    applications,
    assignment_create,
    assignments,
    checklists,
    common,
    dispatch,
    errors,
    events,
    fallback,
    forms,
    incidents,
    mailings,
    partners,
    residents,
    service_desk,
    shift,
    templates,
    volunteers,
)
from handlers.analytics import stats
from handlers.partners.join import create_join_router
from handlers.start import help, language, phone, profile, start


def create_menu() -> Menu:
    return Menu(
        [
            *profile.MENU_ITEMS,
            *phone.MENU_ITEMS,
            *assignment_create.MENU_ITEMS,
            *assignments.MENU_ITEMS,
            *stats.MENU_ITEMS,
            *residents.MENU_ITEMS,
            *dispatch.MENU_ITEMS,
            *incidents.MENU_ITEMS,
            *shift.MENU_ITEMS,
            *partners.MENU_ITEMS,
            *service_desk.MENU_ITEMS,
            *language.MENU_ITEMS,
            *appeals.MENU_ITEMS,
            *forms.MENU_ITEMS,
            *events.MENU_ITEMS,
            *volunteers.MENU_ITEMS,
            *mailings.MENU_ITEMS,
            *applications.MENU_ITEMS,
            *help.MENU_ITEMS,
        ]
    )


def create_router() -> Router:
    root = Router(name="handlers")
    # The bot talks to people one to one; group chats get no replies from it.
    root.message.filter(F.chat.type == ChatType.PRIVATE)
    # Before any feature draws the menu: is the sender one of an outside organisation's people?
    root.message.outer_middleware(partners.PartnerMarker())
    root.callback_query.outer_middleware(partners.PartnerMarker())
    root.include_routers(
        errors.create_router(),
        common.create_router(),
        create_join_router(),  # /start org_<token>: before /start's catch-all
        forms.create_start_router(),  # /start form_<slug>: likewise
        start.create_router(),
        help.create_router(),
        profile.create_router(),
        phone.create_router(),
        language.create_router(),
        assignment_create.create_router(),
        assignments.create_router(),
        checklists.create_router(),
        stats.create_router(),
        residents.create_router(),
        appeals.create_router(),
        dispatch.create_router(),
        incidents.create_router(),
        shift.create_router(),
        partners.create_router(),
        templates.create_router(),
        service_desk.create_router(),
        mailings.create_router(),
        forms.create_router(),
        events.create_router(),
        volunteers.create_router(),
        applications.create_router(),
        appeals.create_offer_router(),  # a resident's leftover text: offered as an appeal
        fallback.create_router(),  # keep last
    )
    return root
