"""An outside organisation's people in the bot, and the dispatcher's approval of their reports.

- cards that come to an organisation (``org:ack`` / ``org:rep``): take into work, report with photos
  and the expected restoration time (``report``, ``files``, ``publish``);
- the menu item «Work of the organisation» (``work_list``), shown only to an organisation's people
  (``MenuItem.partners``, marked per update by ``marker.PartnerMarker``);
- the dispatcher's «publish / keep internal» of a pending report (``dupd:``, ``approval``).

Nothing here trusts a press: the services re-check who may act on what. Joining an organisation
(``join``) is a separate router.
"""

from __future__ import annotations

from aiogram import F, Router

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import stale_router
from handlers.partners import approval, cards, report, work_list
from handlers.partners.callbacks import DecideCallback, OrgAction, OrgCallback, StepCallback
from handlers.partners.marker import PartnerMarker

WORK = MenuItem(
    work_list.WORK_KEY,
    N_("Work of the organisation"),
    partners=True,
    hint=N_("incidents and outages addressed to your organisation: take them, report with photos"),
    order=15,
)
MENU_ITEMS = (WORK,)

__all__ = ["MENU_ITEMS", "PartnerMarker", "create_router"]


def create_router() -> Router:
    router = Router(name="partners")
    router.message.register(work_list.show, MenuButton(WORK.key))
    router.callback_query.register(cards.acknowledge, OrgCallback.filter(F.action == OrgAction.ACK))
    router.callback_query.register(report.start, OrgCallback.filter(F.action == OrgAction.REPORT))
    router.callback_query.register(approval.decide, DecideCallback.filter())
    router.include_router(report.create_router())
    # Last: a step's button pressed outside its step (an old message, a finished report) or a forged one.
    router.include_router(stale_router("partners", StepCallback.filter(), OrgCallback.filter()))
    return router
