"""Volunteering in the bot: the answer to an invitation to an event (``answers``) and the
«🙋 Volunteering» menu item with one's upcoming shifts and hours (``mine``).

Invitations are queued by ``services.volunteers.notices`` with ``vol:<action>:<shift id>`` buttons.
"""

from __future__ import annotations

from aiogram import Router

from bot.menu import MenuButton
from bot.messages import stale_router
from handlers.volunteers import answers, mine
from handlers.volunteers.callbacks import ShiftCallback

MENU_ITEMS = (mine.VOLUNTEERING,)


def create_router() -> Router:
    router = Router(name="volunteers")
    router.message.register(mine.show, MenuButton(mine.VOLUNTEERING.key))
    router.include_router(answers.create_router())
    # Last: a forged or unknown action of ours is answered as outdated, not left to the fallback.
    router.include_router(stale_router("volunteers", ShiftCallback.filter()))
    return router
