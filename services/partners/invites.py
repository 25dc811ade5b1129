"""Invite links of an outside organisation: ``t.me/<bot>?start=org_<token>``.

Unlike a staff invite (``services/invites.py``, one named person), an organisation's link is handed
to its coordinator and opened by several people: each becomes a new executor of the organisation's
department. A link lives ``ttl`` (a week by default), may be limited to a number of uses and revoked.
Only a SHA-256 of the token is stored, so a database leak does not leak usable links.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, Organisation, OrganisationInvite, TelegramAccount, User, utcnow
from models.enums import Role
from services import staff
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput, InviteError, NotFound
from services.notify import N_
from services.partners.members import get_organisation

ORG_INVITE_PREFIX = "org_"
DEFAULT_TTL = timedelta(days=7)
MAX_TTL = timedelta(days=90)
MAX_USES_LIMIT = 1000
NAME_LIMIT = 255

NOT_VALID = N_("This organisation's invite link is not valid. Ask the duty dispatch service for a new one.")
EXPIRED = N_("This organisation's invite link has expired. Ask the duty dispatch service for a new one.")
USED_UP = N_(
    "This organisation's invite link has been used as many times as allowed. "
    "Ask the duty dispatch service for a new one."
)
STAFF_ACCOUNT = N_(
    "This messenger account is already linked to a staff member, so it cannot join an organisation. "
    "Open the link from another account or ask the administrator."
)
ALREADY_MEMBER = N_("You have already joined this organisation.")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={ORG_INVITE_PREFIX}{token}"


async def create_invite(
    session: AsyncSession,
    actor: Actor,
    organisation_id: int,
    *,
    ttl: timedelta = DEFAULT_TTL,
    max_uses: int | None = None,
    now: datetime | None = None,
) -> tuple[OrganisationInvite, str]:
    """A fresh link; the token is returned once and never stored."""
    await require_admin(session, actor)
    org = await get_organisation(session, organisation_id)
    if not org.is_active:
        raise InvalidInput("The organisation is deactivated: activate it first.")
    if not timedelta(hours=1) <= ttl <= MAX_TTL:
        raise InvalidInput("A link lives from one hour to %(n)d days.", n=MAX_TTL.days, field="ttl")
    if max_uses is not None and not 1 <= max_uses <= MAX_USES_LIMIT:
        raise InvalidInput("The number of uses is from 1 to %(n)d.", n=MAX_USES_LIMIT, field="max_uses")
    now = now or utcnow()
    # 32 url-safe chars: deep-link payloads allow at most 64 chars of [A-Za-z0-9_-].
    token = secrets.token_urlsafe(24)
    invite = OrganisationInvite(
        token_hash=digest(token),
        organisation_id=org.id,
        created_by_id=actor.user_id,
        created_at=now,
        expires_at=now + ttl,
        max_uses=max_uses,
        uses=0,
    )
    session.add(invite)
    await session.flush()
    record(
        session,
        actor,
        "organisation",
        org.id,
        "invite_created",
        data={"invite": invite.id, "expires_at": invite.expires_at.isoformat(), "max_uses": max_uses},
    )
    return invite, token


async def revoke_invite(session: AsyncSession, actor: Actor, organisation_id: int, invite_id: int) -> None:
    await require_admin(session, actor)
    invite = await session.get(OrganisationInvite, invite_id)
    if invite is None or invite.organisation_id != organisation_id:
        raise NotFound("Invite link not found.")
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        record(session, actor, "organisation", organisation_id, "invite_revoked", data={"invite": invite.id})
    await session.flush()


def _usable(now: datetime) -> list[object]:
    return [
        OrganisationInvite.revoked_at.is_(None),
        OrganisationInvite.expires_at > now,
        or_(OrganisationInvite.max_uses.is_(None), OrganisationInvite.uses < OrganisationInvite.max_uses),
    ]


async def active_invites(
    session: AsyncSession, organisation_id: int, *, now: datetime | None = None
) -> Sequence[OrganisationInvite]:
    now = now or utcnow()
    rows = await session.scalars(
        select(OrganisationInvite)
        .where(OrganisationInvite.organisation_id == organisation_id, *_usable(now))
        .order_by(OrganisationInvite.created_at.desc(), OrganisationInvite.id.desc())
    )
    return rows.all()


@dataclass(frozen=True, slots=True)
class InviteCheck:
    invite: OrganisationInvite
    organisation: Organisation


async def check_invite(session: AsyncSession, token: str, *, now: datetime | None = None) -> InviteCheck:
    """The link's organisation if the link can still be used; :class:`InviteError` (a msgid) if not.
    The bot checks before asking for the name, and :func:`redeem` checks again."""
    if not token or len(token) > 64:
        raise InviteError(NOT_VALID)
    return await check_hashed(session, digest(token), now=now)


async def check_hashed(session: AsyncSession, token_hash: str, *, now: datetime | None = None) -> InviteCheck:
    """As :func:`check_invite`, by the token's hash: the bot keeps only the hash in the conversation
    state between the link and the name, never the usable token."""
    now = now or utcnow()
    invite = await session.scalar(
        select(OrganisationInvite).where(OrganisationInvite.token_hash == token_hash)
    )
    if invite is None or invite.revoked_at is not None:
        raise InviteError(NOT_VALID)
    org = await session.get(Organisation, invite.organisation_id)
    if org is None or not org.is_active:
        raise InviteError(NOT_VALID)
    if invite.expires_at <= now:
        raise InviteError(EXPIRED)
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        raise InviteError(USED_UP)
    return InviteCheck(invite, org)


async def check_joiner(session: AsyncSession, account: TelegramAccount, org: Organisation) -> User | None:
    """Refuse an account bound to an active user (staff, or already a member); a deactivated user
    bound to it is returned (a former member may come back)."""
    user = await session.scalar(select(User).where(User.telegram_id == account.id))
    if user is None or not user.is_active:
        return user
    raise InviteError(ALREADY_MEMBER if user.department_id == org.department_id else STAFF_ACCOUNT)


def clean_name(text: str) -> str:
    """A person's name as typed: one line, no control characters, 2–255 characters."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text or "")
    text = " ".join(text.split())
    if len(text) < 2:
        raise InvalidInput("Type your full name (at least two letters).", field="full_name")
    if len(text) > NAME_LIMIT:
        raise InvalidInput("The text is too long: at most %(n)d characters.", n=NAME_LIMIT, field="full_name")
    if not any(c.isalpha() for c in text):
        raise InvalidInput("Type your full name (at least two letters).", field="full_name")
    return text


async def _returning_user(session: AsyncSession, account: TelegramAccount, org: Organisation) -> User | None:
    """The deactivated member coming back, or None; a deactivated user of elsewhere gives the
    account up (keeping its history) so that the account can be bound anew."""
    user = await check_joiner(session, account, org)
    if user is None:
        return None
    if user.department_id == org.department_id:
        return user
    user.telegram_id = None
    record(
        session,
        Actor(telegram_id=account.id),
        "user",
        user.id,
        "telegram_unbound",
        data={"reason": "org_invite"},
    )
    await session.flush()
    return None


async def redeem(
    session: AsyncSession,
    token: str,
    account: TelegramAccount,
    full_name: str,
    *,
    now: datetime | None = None,
) -> User:
    """``account`` joins the link's organisation as an executor of its department; the first person
    of a department without a head becomes its head (assignments to the organisation reach them)."""
    if not token or len(token) > 64:
        raise InviteError(NOT_VALID)
    return await redeem_hashed(session, digest(token), account, full_name, now=now)


async def redeem_hashed(
    session: AsyncSession,
    token_hash: str,
    account: TelegramAccount,
    full_name: str,
    *,
    now: datetime | None = None,
) -> User:
    now = now or utcnow()
    name = clean_name(full_name)
    checked = await check_hashed(session, token_hash, now=now)
    org, invite = checked.organisation, checked.invite
    actor = Actor(telegram_id=account.id)
    returning = await _returning_user(session, account, org)
    # Count the use with a conditional UPDATE so two people cannot both take the last use.
    result = await session.execute(
        update(OrganisationInvite)
        .where(OrganisationInvite.id == invite.id, *_usable(now))
        .values(uses=OrganisationInvite.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InviteError(USED_UP)
    await session.refresh(invite)
    if returning is not None:
        user = returning
        user.full_name = name
        await staff.set_active(session, actor, user.id, True)
        if Role.EXECUTOR not in user.roles:
            await staff.set_roles(session, actor, user.id, {*user.roles, Role.EXECUTOR})
    else:
        user = await staff.create_user(
            session,
            actor,
            full_name=name,
            roles=(Role.EXECUTOR,),
            department_id=org.department_id,
            telegram_id=account.id,
        )
    account.user_id = user.id
    dept = await session.get(Department, org.department_id)
    head = await session.get(User, dept.head_id) if dept is not None and dept.head_id else None
    if dept is not None and (head is None or not head.is_active):
        await staff.set_department_head(session, actor, dept.id, user.id)
    record(
        session,
        actor,
        "organisation",
        org.id,
        "member_joined",
        data={
            "user": user.id,
            "invite": invite.id,
            "telegram_id": account.id,
            "returning": returning is not None,
        },
    )
    await session.flush()
    return user
