"""What a person sees and edits about themselves in the bot: phone number, language, department."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, TelegramAccount, User
from porucheno.settings import SUPPORTED_LOCALES
from services.audit import Actor, record
from services.correspondents.normalize import normalize_phone as phone_rule
from services.correspondents.proofs import prove_contact
from services.errors import InvalidInput


def _not_a_phone() -> InvalidInput:
    return InvalidInput("This does not look like a Russian phone number. Example: +7 900 123-45-67.")


def normalize_phone(raw: str, *, allow_foreign: bool = False) -> str:
    """``+7 900 123-45-67``, ``8 (900) 1234567``, ``9001234567`` → ``+79001234567``.

    ``allow_foreign`` accepts any E.164 number as ``+<digits>``: for contacts shared through
    Telegram, whose numbers Telegram has verified.
    """
    phone = phone_rule(raw, foreign=allow_foreign, international=allow_foreign)
    if phone is None:
        raise _not_a_phone()
    return phone


async def set_account_phone(
    session: AsyncSession, account: TelegramAccount, phone: str, *, source: str
) -> TelegramAccount:
    """Store an already normalised number; ``source`` is how it came (``contact`` or ``text``)."""
    had_phone = account.phone is not None
    account.phone = phone
    # The number itself stays out of the audit trail: it is personal data and lives on the account.
    record(
        session,
        Actor(user_id=account.user_id, telegram_id=account.id),
        "telegram_account",
        account.id,
        "phone_set",
        data={"source": source, "replaced": had_phone},
    )
    await session.flush()
    return account


async def keep_verified_phone(session: AsyncSession, account: TelegramAccount, phone: str) -> None:
    """A number the messenger verified as the account's own — a contact shared with its own contact
    button, whose ``user_id`` is the sender — wherever it was shared («Share phone», an appeal's
    contacts): kept on the account (the profile shows it) and proven on the person's record, so
    their appeals and answers are found by it. ``phone`` is already normalised. A number only typed
    is not verified and does not come here."""
    await set_account_phone(session, account, phone, source="contact")
    await prove_contact(session, account.id, phone=phone, actor=Actor(telegram_id=account.id))


async def _change_locale(
    session: AsyncSession, holder: User | TelegramAccount, actor: Actor, entity: str, locale: str
) -> None:
    """Staff and residents choose their language the same way; only who holds it differs."""
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput("Unsupported language.")
    if holder.locale != locale:
        old = holder.locale
        holder.locale = locale
        record(session, actor, entity, holder.id, "locale_changed", old_state=old, new_state=locale)
        await session.flush()


async def set_user_locale(session: AsyncSession, user: User, locale: str) -> User:
    await _change_locale(session, user, Actor(user_id=user.id, telegram_id=user.telegram_id), "user", locale)
    return user


async def set_account_locale(session: AsyncSession, account: TelegramAccount, locale: str) -> TelegramAccount:
    """A resident's language, kept on the account so it outlives the bot's FSM storage."""
    actor = Actor(user_id=account.user_id, telegram_id=account.id)
    await _change_locale(session, account, actor, "telegram_account", locale)
    return account


async def department_name(session: AsyncSession, user: User) -> str | None:
    if user.department_id is None:
        return None
    department = await session.get(Department, user.department_id)
    return department.name if department is not None else None
