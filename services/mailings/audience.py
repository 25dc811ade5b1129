"""Who a mailing reaches: the segment's members with a Telegram chat and a confirmed consent.

Who is in the segment is the segment engine's answer (``services.segments``); this module adds what
sending needs: a chat that is not blocked and a confirmed consent, and, for the panel, why the
others are left out (``breakdown``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, MailingConsent, PdErasure, Segment, TelegramAccount
from models.enums import MailingConsentStatus
from services.segments.query import select_ids
from services.segments.saved import filters_of
from services.streamed import in_parts, rows_of_parts

# Why a member of the segment is left out (keys of ``Breakdown.left_out``).
NO_CONSENT = "no_consent"  # never asked, not confirmed yet, or withdrawn
NO_CHAT = "no_chat"  # never wrote to the bot
BLOCKED = "blocked"  # blocked the bot
ERASED = "erased"  # personal data erased
SHARED_CHAT = "shared_chat"  # another member's card on the same chat gets the one message


@dataclass(frozen=True, slots=True)
class Recipient:
    correspondent_id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class _Member:
    correspondent_id: int
    chat_id: int | None
    blocked: bool
    consent: str | None
    erased: bool


@dataclass
class Breakdown:
    recipients: list[Recipient] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def members(self) -> int:
        return len(self.recipients) + sum(self.left_out.values())


async def _segment_members(session: AsyncSession, segment_id: int, tz: tzinfo = UTC) -> list[_Member]:
    """The segment's members (``services.segments``: merged and erased cards are never members)
    with their chat, block and consent.

    Exactly the members the segment's own page counts: its filters are taken as they are, so the
    mailing's recipients and its members left out (by reason) add up to the segment's size. A
    segment asks for confirmed consent by default, and then nobody is left out for want of it; a
    segment built on another consent state («any») shows its unconsented members as left out.
    """
    segment = await session.get(Segment, segment_id)
    if segment is None or segment.archived_at is not None:
        return []
    spec = filters_of(segment)
    query = (
        select(Correspondent).where(Correspondent.id.in_(select_ids(spec, tz=tz))).order_by(Correspondent.id)
    )

    async def members_of(people: Sequence[Correspondent]) -> list[_Member]:
        return await _members(session, people)

    # A part at a time: a segment of tens of thousands does not hold the loop while its cards load,
    # and each lookup's IN list stays short (stock SQLite builds refuse over 32,766 values).
    return await rows_of_parts(in_parts(session, query), members_of)


async def _members(session: AsyncSession, people: Sequence[Correspondent]) -> list[_Member]:
    """The chat, block and consent of each of ``people``."""
    ids = [p.id for p in people]
    consents = dict(
        (
            await session.execute(
                select(MailingConsent.correspondent_id, MailingConsent.status).where(
                    MailingConsent.correspondent_id.in_(ids)
                )
            )
        ).all()
    )
    erased = set(
        (
            await session.scalars(
                select(PdErasure.correspondent_id).where(PdErasure.correspondent_id.in_(ids))
            )
        ).all()
    )
    accounts: dict[int, TelegramAccount] = {}
    for account in (
        await session.scalars(
            select(TelegramAccount)
            .where(TelegramAccount.correspondent_id.in_(ids))
            .order_by(TelegramAccount.id)
        )
    ).all():
        assert account.correspondent_id is not None
        accounts.setdefault(account.correspondent_id, account)
    by_telegram_id = [p.telegram_id for p in people if p.id not in accounts and p.telegram_id]
    if by_telegram_id:
        linked = {
            a.id: a
            for a in (
                await session.scalars(select(TelegramAccount).where(TelegramAccount.id.in_(by_telegram_id)))
            ).all()
        }
        for p in people:
            if p.id not in accounts and p.telegram_id in linked:
                accounts[p.id] = linked[p.telegram_id]
    members = []
    for p in people:
        account = accounts.get(p.id)
        members.append(
            _Member(
                correspondent_id=p.id,
                chat_id=account.chat_id if account else None,
                blocked=bool(account and account.blocked_at),
                consent=consents.get(p.id),
                erased=p.id in erased,
            )
        )
    return members


async def breakdown(session: AsyncSession, segment_id: int, tz: tzinfo = UTC) -> Breakdown:
    """The recipients and, by reason, the members left out (a member counts under one reason):
    together, every member of the segment."""
    result = Breakdown()
    seen_chats: set[int] = set()
    for m in await _segment_members(session, segment_id, tz):
        if m.erased:
            result.left_out[ERASED] += 1
        elif m.consent != MailingConsentStatus.CONFIRMED:
            result.left_out[NO_CONSENT] += 1
        elif m.chat_id is None:
            result.left_out[NO_CHAT] += 1
        elif m.blocked:
            result.left_out[BLOCKED] += 1
        elif m.chat_id in seen_chats:  # two cards on one chat get one message
            result.left_out[SHARED_CHAT] += 1
        else:
            seen_chats.add(m.chat_id)
            result.recipients.append(Recipient(m.correspondent_id, m.chat_id))
    return result


async def recipients(session: AsyncSession, segment_id: int, tz: tzinfo = UTC) -> list[Recipient]:
    """The members of the segment a mailing is sent to: a chat, not blocked, a confirmed consent,
    not erased, not merged."""
    return (await breakdown(session, segment_id, tz)).recipients
