"""``/start``: greetings for residents and staff, and staff binding through ``/start inv_<token>``."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import Menu
from bot.texts import domain_error_text, quote, role_list
from models import TelegramAccount, User
from services.errors import InviteError
from services.invites import INVITE_PREFIX, redeem_invite
from services.messengers import MESSENGER_NAMES, messenger_of
from services.profile import department_name

log = logging.getLogger(__name__)


async def start_invite(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    menu: Menu,
    i18n: I18n,
) -> None:
    await state.clear()
    token = (command.args or "").removeprefix(INVITE_PREFIX)
    try:
        user = await redeem_invite(session, token, account)
    except InviteError as exc:
        # The token is a credential: log who was refused, never the link itself.
        log.info("invite refused for telegram id %s: %s", account.id, exc.message)
        await message.answer(domain_error_text(exc))
        return
    log.info("telegram id %s bound to staff user %s", account.id, user.id)
    await session.commit()  # bound before the greeting says so
    # From now on this person is staff: speak their language and show their menu.
    with i18n.use_locale(user.locale or i18n.current_locale):
        text = _(
            "Done, %(name)s! Your %(messenger)s account is now linked to your staff profile.\n\n"
            "Roles: %(roles)s\nDepartment: %(department)s\n\n"
            "Assignments and notifications will come to you from this bot."
        ) % {**await _staff_facts(session, user), "messenger": MESSENGER_NAMES[messenger_of(account.id)]}
        await message.answer(text, reply_markup=menu.keyboard(user, i18n))


async def _staff_facts(session: AsyncSession, user: User) -> dict[str, str]:
    """The placeholders of both staff greetings (just linked, and back again)."""
    return {
        "name": quote(user.full_name),
        "roles": role_list(user),
        "department": quote(await department_name(session, user)),
    }


async def start(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    user: User | None,
    menu: Menu,
    i18n: I18n,
) -> None:
    await state.clear()
    if user is None:
        text = _(
            "Hello, %(name)s!\n\n"
            "This is the official bot of the local administration. Here you will be able to contact "
            "the administration, follow the answers to your appeals and receive notices about planned "
            "and emergency outages at your address.\n\n"
            "Choose an action in the menu below. Leave your phone number so that our specialists "
            "can contact you if needed."
        ) % {"name": quote(account.display_name)}
    else:
        text = _(
            "Hello, %(name)s!\n\n"
            "You are signed in as a staff member.\n"
            "Roles: %(roles)s\nDepartment: %(department)s\n\n"
            "Assignments and notifications will come to you from this bot. "
            "Choose an action in the menu below."
        ) % await _staff_facts(session, user)
    await message.answer(text, reply_markup=menu.keyboard(user, i18n))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(
        start_invite, CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX))
    )
    router.message.register(start, CommandStart())
    return router
