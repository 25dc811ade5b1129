"""Residents' appeals in Telegram: «Write an appeal» (a short conversation ending in a registration
number) and «My appeals» (the list, cards, and rating the final answer).

Topic → text → address → files → full name → contacts → summary. The draft lives in the conversation state and
holds only plain values and Telegram file ids; «Send» registers it through
:mod:`services.appeals.intake`. Buttons carry only ids; every press reloads rows and re-checks.
"""

from __future__ import annotations

from aiogram import Router

from bot.i18n import N_
from bot.menu import MenuButton, MenuItem
from bot.messages import stale_router
from handlers.appeals import address, confirm, consent, contact, files, mine, name, offer, rating, text
from handlers.appeals.callbacks import AppealFormCallback

WRITE_APPEAL = MenuItem(
    "appeal_write",
    N_("Write an appeal"),
    residents=True,
    hint=N_("report a problem or ask the administration a question"),
    order=10,
)
MY_APPEALS = MenuItem(
    "appeals_mine",
    N_("My appeals"),
    residents=True,
    hint=N_("your appeals, their status and the answers"),
    order=11,
)
MENU_ITEMS = (WRITE_APPEAL, MY_APPEALS)


def create_offer_router() -> Router:
    """A resident's leftover free text offered as an appeal: include it just before the fallback."""
    return offer.create_text_router()


def create_router() -> Router:
    router = Router(name="appeals")
    consent.on_agree("write", text.begin)
    consent.on_agree("offer", offer.begin_offered)
    router.message.register(text.start, MenuButton(WRITE_APPEAL.key))
    router.message.register(mine.show_mine, MenuButton(MY_APPEALS.key))
    router.include_routers(
        files.create_router(),  # before the text step: files sent with the text are kept
        consent.create_router(),  # before the steps: typed text during the consent is not taken
        text.create_router(),
        address.create_router(),
        name.create_router(),
        contact.create_router(),
        confirm.create_router(),
        mine.create_router(),
        rating.create_router(),
        offer.create_router(),
    )
    # Last: stale or forged presses of the conversation's buttons.
    router.include_router(stale_router("appeals", AppealFormCallback.filter()))
    return router
