"""Joining an outside organisation: ``/start org_<token>`` (the link from its card in the panel).

The person confirms the name the ЕДДС will see (their Telegram name, or one they type), then
becomes an executor of the organisation; the first one heads it. The conversation state keeps the
token's hash only: the usable link never sits in the FSM storage, and nothing logs it.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.menu import Menu
from bot.messages import outdated, settle
from bot.texts import domain_error_text, quote
from handlers.partners.marker import refresh_mark
from models import Department, TelegramAccount, User
from services.errors import DomainError, InvalidInput
from services.notify import Translator
from services.partners import invites
from services.partners.labels import kind_name
from services.partners.members import organisation_of

log = logging.getLogger(__name__)


class JoinForm(StatesGroup):
    confirm = State()  # the Telegram name offered, waiting for a press
    typing = State()  # waiting for the typed name


class JoinName(CallbackData, prefix="orgj"):
    typed: bool  # False: the offered name is right; True: the person will type another


def _question(org_name: str, kind: str, name: str, locale: str) -> str:
    return _(
        "You are invited to join «%(org)s» (%(kind)s) in the administration's work bot.\n\n"
        "Dispatchers of the duty dispatch service will see you as: <b>%(name)s</b>.\n"
        "Is that right? You may give your full name instead."
    ) % {"org": quote(org_name), "kind": kind_name(kind, Translator(locale)), "name": quote(name)}


def _ask_name_text() -> str:
    return _(
        "Type your full name as colleagues and dispatchers should see it, for example "
        "«Иванов Пётр Сергеевич». To cancel, send /cancel."
    )


async def start_join(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    i18n: I18n,
) -> None:
    await state.clear()
    token = (command.args or "").removeprefix(invites.ORG_INVITE_PREFIX)
    try:
        checked = await invites.check_invite(session, token)
        await invites.check_joiner(session, account, checked.organisation)
    except DomainError as exc:
        # The token is a credential: log who was refused, never the link itself.
        log.info("organisation invite refused for telegram id %s: %s", account.id, exc.message)
        await message.answer(domain_error_text(exc))
        return
    org = checked.organisation
    await state.set_data({"hash": invites.digest(token), "org": org.id})
    try:
        offered = invites.clean_name(account.display_name)
    except InvalidInput:
        offered = ""
    if not offered:  # an emoji-only or empty Telegram name: the person types one
        await state.set_state(JoinForm.typing)
        await message.answer(
            _("You are invited to join «%(org)s» in the administration's work bot.")
            % {"org": quote(org.name)}
            + "\n\n"
            + _ask_name_text()
        )
        return
    await state.update_data(name=offered)
    await state.set_state(JoinForm.confirm)
    buttons = [
        [InlineKeyboardButton(text=_("✅ Yes, that's right"), callback_data=JoinName(typed=False).pack())],
        [InlineKeyboardButton(text=_("✏️ Give another name"), callback_data=JoinName(typed=True).pack())],
    ]
    await message.answer(
        _question(org.name, org.kind, offered, i18n.current_locale),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons),
    )


async def name_pressed(
    query: CallbackQuery,
    callback_data: JoinName,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    menu: Menu,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    await query.answer()
    assert isinstance(query.message, Message)
    if callback_data.typed:
        await state.set_state(JoinForm.typing)
        await settle(query, _ask_name_text())
        return
    await settle(query, _("Name: %(name)s") % {"name": quote(str(data.get("name", "")))})
    await _join(query.message, state, session, account, menu, i18n, str(data.get("name", "")))


async def name_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    menu: Menu,
    i18n: I18n,
) -> None:
    text = message.text or ""
    if menu.match(text, i18n) is not None:
        # A menu button is not a name: the person is still asked for one.
        await message.answer(_ask_name_text())
        return
    await _join(message, state, session, account, menu, i18n, text)


async def name_hint(message: Message) -> None:
    await message.answer(_ask_name_text())


async def confirm_hint(message: Message) -> None:
    await message.answer(_("Please tap one of the buttons above. To cancel, send /cancel."))


async def _join(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: TelegramAccount,
    menu: Menu,
    i18n: I18n,
    name: str,
) -> None:
    data = await state.get_data()
    try:
        user = await invites.redeem_hashed(session, str(data.get("hash", "")), account, name)
    except InvalidInput as exc:  # a bad name: ask again, the conversation goes on
        await state.set_state(JoinForm.typing)
        await message.answer(f"{domain_error_text(exc)}\n\n{_ask_name_text()}")
        return
    except DomainError as exc:
        await state.clear()
        log.info("organisation invite refused for telegram id %s: %s", account.id, exc.message)
        await message.answer(domain_error_text(exc), reply_markup=menu.keyboard(None, i18n))
        return
    await state.clear()
    org = await organisation_of(session, user)
    assert org is not None  # redeemed into its department just now
    log.info("telegram id %s joined organisation %s as user %s", account.id, org.id, user.id)
    await session.commit()  # joined before the greeting says so
    dept = await session.get(Department, org.department_id)
    text = _(
        "Welcome, %(name)s! You have joined «%(org)s».\n\n"
        "Assignments, incidents and outages addressed to your organisation will arrive in this chat. "
        "Only what is addressed to you and your organisation is shown here."
    ) % {"name": quote(user.full_name), "org": quote(org.name)}
    if dept is not None and dept.head_id == user.id:
        text += "\n\n" + _(
            "You are the organisation's contact person: assignments to the organisation come to you "
            "first, and you can pass them on to your colleagues."
        )
    await message.answer(text, reply_markup=menu.keyboard(await _fresh(session, user), i18n))


async def _fresh(session: AsyncSession, user: User) -> User:
    """The user with its roles loaded and marked as an organisation's person (the menu shows items
    by role and «Работа организации» by that mark)."""
    await session.refresh(user, ["role_rows"])
    await refresh_mark(session, user)
    return user


def create_join_router() -> Router:
    """Goes before ``/start``'s router: its plain ``/start`` would take the deep link otherwise."""
    router = Router(name="partners.join")
    router.message.register(
        start_join, CommandStart(deep_link=True, magic=F.args.startswith(invites.ORG_INVITE_PREFIX))
    )
    router.callback_query.register(name_pressed, JoinForm.confirm, JoinName.filter())
    router.callback_query.register(outdated, JoinName.filter())
    # Commands (/start, /help…) are not names: they go on to their own handlers.
    router.message.register(name_typed, JoinForm.typing, F.text, ~F.text.startswith("/"))
    router.message.register(name_hint, JoinForm.typing, ~F.text.startswith("/"))
    router.message.register(confirm_hint, JoinForm.confirm, ~F.text.startswith("/"))
    return router
