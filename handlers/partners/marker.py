"""Marks the sender as one of an outside organisation's people, for the menu (``MenuItem.partners``).

An outer middleware on the handlers' root router (messages and presses): one query per update of a
staff user with a department, none for residents. The keyboard is drawn synchronously, so it reads
the mark rather than the database (``bot.menu.mark_partner``).
"""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import mark_partner
from bot.middleware_types import NextHandler
from models import User
from services.partners.members import organisation_of


async def refresh_mark(session: AsyncSession, user: User) -> None:
    """Mark ``user`` by their organisation now (also for a flow that has just made them a member)."""
    org = await organisation_of(session, user)
    mark_partner(user, org is not None and org.is_active and user.is_active)


class PartnerMarker(BaseMiddleware):
    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("user")
        session: AsyncSession | None = data.get("session")
        if user is not None and session is not None:
            if user.department_id is None:
                mark_partner(user, False)
            else:
                await refresh_mark(session, user)
        return await handler(event, data)
