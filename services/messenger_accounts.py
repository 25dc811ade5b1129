"""A person's messenger accounts and the channel their notices go to, one rule in one place.

A staff member (``User``) or a correspondent may have an account in Telegram and one in MAX
(``TelegramAccount`` rows; ``id`` is a chat address, see services/messengers.py). The person's
``telegram_id`` holds the first one bound; the others are linked by ``user_id`` /
``correspondent_id``. ``preferred_messenger`` says which one notices go to (None: the first bound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, TelegramAccount, User
from models.enums import Role
from services.admin_rights import require_admin
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied
from services.invites import INVITE_PREFIX, invite_link
from services.messengers import MESSENGER_NAMES, MESSENGERS, Messenger, messenger_of, native_id
from services.notify import N_

# Who may change a correspondent's channel: those who work with the CRM card (the panel's
# correspondent pages are for clerks and managers; administrators pass everywhere).
CARD_ROLES = (Role.CLERK, Role.MANAGER)


class MessengerNotBound(InvalidInput):
    """The chosen messenger is one the person has no account in."""


@dataclass(frozen=True, slots=True)
class AccountView:
    address: int
    messenger: Messenger
    display_name: str
    username: str | None
    blocked_at: datetime | None
    last_seen_at: datetime | None

    @property
    def messenger_name(self) -> str:
        return MESSENGER_NAMES[self.messenger]


def _view(account: TelegramAccount) -> AccountView:
    messenger = Messenger(account.messenger) if account.messenger in MESSENGERS else messenger_of(account.id)
    return AccountView(
        address=account.id,
        messenger=messenger,
        display_name=account.display_name,
        username=account.username,
        blocked_at=account.blocked_at,
        last_seen_at=account.last_seen_at,
    )


def _bare(address: int) -> AccountView:
    """A ``telegram_id`` with no account row (e.g. imported): known by its address only."""
    return AccountView(
        address=address,
        messenger=messenger_of(address),
        display_name=str(native_id(address)),
        username=None,
        blocked_at=None,
        last_seen_at=None,
    )


async def _accounts(session: AsyncSession, link: object, address: int | None) -> list[AccountView]:
    where = link if address is None else or_(link, TelegramAccount.id == address)  # type: ignore[arg-type]
    rows = (await session.scalars(select(TelegramAccount).where(where))).all()  # type: ignore[arg-type]
    views = [_view(a) for a in rows]
    if address is not None and all(v.address != address for v in views):
        views.append(_bare(address))
    order = {m: i for i, m in enumerate(MESSENGERS)}
    # The first bound (``telegram_id``) leads within its messenger.
    views.sort(key=lambda v: (order[v.messenger], v.address != address, v.address))
    return views


async def accounts_of_user(session: AsyncSession, user_id: int) -> list[AccountView]:
    """The staff member's accounts, Telegram first; [] for an unknown user."""
    user = await session.get(User, user_id)
    if user is None:
        return []
    return await _accounts(session, TelegramAccount.user_id == user_id, user.telegram_id)


async def accounts_of_correspondent(session: AsyncSession, correspondent_id: int) -> list[AccountView]:
    """The correspondent's accounts, Telegram first; [] for an unknown correspondent."""
    person = await session.get(Correspondent, correspondent_id)
    if person is None:
        return []
    return await _accounts(session, TelegramAccount.correspondent_id == correspondent_id, person.telegram_id)


async def messengers_of_users(session: AsyncSession, users: Sequence[User]) -> dict[int, list[Messenger]]:
    """For a list page: each user's messengers (by ``telegram_id`` and linked accounts), one query."""
    have: dict[int, set[Messenger]] = {u.id: set() for u in users}
    for u in users:
        if u.telegram_id is not None:
            have[u.id].add(messenger_of(u.telegram_id))
    if have:
        rows = await session.execute(
            select(TelegramAccount.user_id, TelegramAccount.id, TelegramAccount.messenger).where(
                TelegramAccount.user_id.in_(list(have))
            )
        )
        for user_id, address, messenger in rows:
            have[user_id].add(Messenger(messenger) if messenger in MESSENGERS else messenger_of(address))
    return {uid: [m for m in MESSENGERS if m in found] for uid, found in have.items()}


def messengers_of(accounts: list[AccountView]) -> list[Messenger]:
    """The messengers among ``accounts``, in the usual order: what a channel select may offer."""
    have = {a.messenger for a in accounts}
    return [m for m in MESSENGERS if m in have]


def parse_messenger(value: str | Messenger | None) -> Messenger | None:
    """``"telegram"`` / ``"max"`` / empty (None: the first bound); anything else is refused."""
    if value is None or value == "":
        return None
    try:
        return Messenger(value)
    except ValueError:
        refusal = N_("Choose Telegram, MAX or the first bound messenger.")
        raise InvalidInput(refusal, field="messenger") from None


async def require_card_editor(session: AsyncSession, actor: Actor) -> None:
    """Refuse unless ``actor`` is an active clerk, manager or administrator (read from the database)."""
    user = await session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.is_active or not user.has_role(*CARD_ROLES):
        raise PermissionDenied(N_("Only clerks and managers may change this."))


async def set_preferred_messenger(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int | None = None,
    correspondent_id: int | None = None,
    messenger: Messenger | str | None,
) -> Messenger | None:
    """Store where the person's notices go and audit the change; returns the stored value.

    Staff are changed by administrators (as editing the staff member), correspondents by those who
    work with the CRM card. A messenger the person has no account in is refused with
    :class:`MessengerNotBound`.
    """
    if (user_id is None) == (correspondent_id is None):
        raise ValueError("pass exactly one of user_id and correspondent_id")
    chosen = parse_messenger(messenger)
    person: User | Correspondent | None
    if user_id is not None:
        await require_admin(session, actor)
        person, entity, accounts = (
            await session.get(User, user_id),
            "user",
            await accounts_of_user(session, user_id),
        )
    else:
        assert correspondent_id is not None
        await require_card_editor(session, actor)
        person, entity, accounts = (
            await session.get(Correspondent, correspondent_id),
            "correspondent",
            await accounts_of_correspondent(session, correspondent_id),
        )
    if person is None:
        raise NotFound(N_("Not found."))
    if chosen is not None and chosen not in messengers_of(accounts):
        raise MessengerNotBound(
            N_("%(name)s has no %(messenger)s account."),
            name=getattr(person, "full_name", None) or getattr(person, "name", ""),
            messenger=MESSENGER_NAMES[chosen],
            field="messenger",
        )
    before = person.preferred_messenger
    after = chosen.value if chosen is not None else None
    if before != after:
        person.preferred_messenger = after
        record(
            session,
            actor,
            entity,
            person.id,
            "preferred_messenger_set",
            old_state=before,
            new_state=after,
            data={"changes": {"preferred_messenger": [before, after]}},
        )
        await session.flush()
    return chosen


class InviteBots(Protocol):
    """What invite links need of the settings (porucheno.settings.Settings fits)."""

    @property
    def bot_username(self) -> str: ...
    @property
    def max_token(self) -> str: ...
    @property
    def max_bot_username(self) -> str: ...


def max_enabled(bots: InviteBots) -> bool:
    return bool(bots.max_token and bots.max_bot_username)


def max_invite_link(max_bot_username: str, token: str) -> str:
    return f"https://max.ru/{max_bot_username}?start={INVITE_PREFIX}{token}"


def invite_links(bots: InviteBots, token: str) -> list[tuple[Messenger, str]]:
    """The staff invite ``token`` as a link per messenger: Telegram always, MAX when it is enabled."""
    links = [(Messenger.TELEGRAM, invite_link(bots.bot_username, token))]
    if max_enabled(bots):
        links.append((Messenger.MAX, max_invite_link(bots.max_bot_username, token)))
    return links
