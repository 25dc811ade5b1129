"""Which chat a notice goes to when a person has accounts in both messengers, and what happens to
it when that chat is blocked.

Services queue notices to whatever chat address they hold for a person (``User.telegram_id``, an
appeal's chat, a subscription's chat...). The outbox asks :func:`preferred_addresses` on the way in,
so every notice lands in the person's preferred messenger without any service knowing there are
two. When a messenger answers 403 (the person blocked the bot), :func:`reroute_blocked` moves what
is still queued for that chat to the person's other messenger, else to their e-mail where we know a
trustworthy one, else drops it, as before.

A person: a staff user (accounts linked by ``TelegramAccount.user_id`` plus ``User.telegram_id``)
or a correspondent card (``TelegramAccount.correspondent_id`` plus ``Correspondent.telegram_id``).
An account linked to neither stays on its own chat.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, OutboxMessage, TelegramAccount, User, utcnow
from models.enums import OutboxStatus
from porucheno.i18n import DEFAULT_LOCALE, gettext
from services.mail_outbox import enqueue_mail
from services.messengers import Messenger, messenger_of
from services.notify import N_

# Only new messages follow the person; an edit or a deletion belongs to the chat it was sent to.
ROUTABLE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo", "sendAudio", "sendVoice"}
)
# Mailings are not notices: their consent, opt-out and delivery counts belong to the messenger chat
# they were addressed to, so they never move to another channel after a block.
_NO_FALLBACK_BATCH_PREFIXES = ("mailing:", "mailing-test:")
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class _Person:
    kind: str  # "user" | "correspondent"
    id: int
    primary: int | None  # the person's telegram_id column
    preferred: str | None
    email: str | None
    locale: str | None


@dataclass(frozen=True, slots=True)
class _Account:
    address: int
    blocked: bool


async def _people(session: AsyncSession, addresses: set[int]) -> dict[int, _Person]:
    """The person behind each address that has one."""
    found: dict[int, _Person] = {}
    accounts = (
        await session.execute(
            select(TelegramAccount.id, TelegramAccount.user_id, TelegramAccount.correspondent_id).where(
                TelegramAccount.id.in_(addresses)
            )
        )
    ).all()
    user_of = {a: u for a, u, _ in accounts if u is not None}
    card_of = {a: c for a, _, c in accounts if c is not None}
    # Columns, not ORM objects: a notice batch (a deadline scan after an outage, an outage's
    # residents) routes hundreds of people, and loading User objects also loaded each one's roles.
    users = (
        await session.execute(
            select(User.id, User.telegram_id, User.preferred_messenger, User.email, User.locale).where(
                or_(User.telegram_id.in_(addresses), User.id.in_(set(user_of.values())))
            )
        )
    ).all()
    by_user_id = {u.id: u for u in users}
    for user in users:
        if user.telegram_id in addresses:
            user_of.setdefault(user.telegram_id, user.id)
    for address, user_id in user_of.items():
        user = by_user_id.get(user_id)
        if user is not None:
            found[address] = _Person(
                "user", user.id, user.telegram_id, user.preferred_messenger, user.email, user.locale
            )
    rest = addresses - found.keys()
    if not rest:
        return found
    cards = (
        await session.execute(
            select(
                Correspondent.id,
                Correspondent.telegram_id,
                Correspondent.preferred_messenger,
                Correspondent.email,
                Correspondent.email_proven,
            ).where(
                or_(
                    Correspondent.telegram_id.in_(rest),
                    Correspondent.id.in_({c for a, c in card_of.items() if a in rest}),
                ),
                Correspondent.merged_into_id.is_(None),
            )
        )
    ).all()
    by_card_id = {c.id: c for c in cards}
    for card in cards:
        if card.telegram_id in rest:
            card_of.setdefault(card.telegram_id, card.id)
    for address in rest:
        card = by_card_id.get(card_of.get(address, -1))
        if card is not None:
            email = card.email if card.email_proven else None  # never write to a typed address
            found[address] = _Person(
                "correspondent", card.id, card.telegram_id, card.preferred_messenger, email, None
            )
    return found


async def _accounts(
    session: AsyncSession, people: Iterable[_Person]
) -> dict[tuple[str, int], list[_Account]]:
    """Every account of each person, blocked or not."""
    people = list(people)
    user_ids = {p.id for p in people if p.kind == "user"}
    card_ids = {p.id for p in people if p.kind == "correspondent"}
    primaries = {p.primary for p in people if p.primary is not None}
    rows = (
        await session.execute(
            select(
                TelegramAccount.id,
                TelegramAccount.user_id,
                TelegramAccount.correspondent_id,
                TelegramAccount.blocked_at,
            ).where(
                or_(
                    TelegramAccount.user_id.in_(user_ids),
                    TelegramAccount.correspondent_id.in_(card_ids),
                    TelegramAccount.id.in_(primaries),
                )
            )
        )
    ).all()
    blocked = {address: blocked_at is not None for address, _, _, blocked_at in rows}
    result: dict[tuple[str, int], list[_Account]] = defaultdict(list)
    for person in people:
        key = (person.kind, person.id)
        seen: set[int] = set()
        linked = [a for a, u, c, _ in rows if (u == person.id if person.kind == "user" else c == person.id)]
        # The primary first: it is the one bound first, the default when nothing is preferred.
        for address in [person.primary, *sorted(linked)]:
            if address is None or address in seen:
                continue
            seen.add(address)
            result[key].append(_Account(address, blocked.get(address, False)))
    return result


def _choose(person: _Person, accounts: list[_Account], fallback: int) -> int:
    open_ = [a for a in accounts if not a.blocked]
    if not open_:
        return fallback
    if person.preferred:
        for account in open_:
            if messenger_of(account.address) == Messenger(person.preferred):
                return account.address
    return open_[0].address


async def preferred_addresses(session: AsyncSession, addresses: Iterable[int]) -> dict[int, int]:
    """For each chat address, the address a new notice for its owner should go to (itself when the
    address belongs to nobody, or every account of the owner is blocked)."""
    wanted = set(addresses)
    result = {a: a for a in wanted}
    pending = sorted(wanted)
    for start in range(0, len(pending), _CHUNK):
        chunk = set(pending[start : start + _CHUNK])
        people = await _people(session, chunk)
        if not people:
            continue
        accounts = await _accounts(session, {(p.kind, p.id): p for p in people.values()}.values())
        for address, person in people.items():
            result[address] = _choose(person, accounts.get((person.kind, person.id), []), address)
    return result


@dataclass(frozen=True, slots=True)
class BlockOutcome:
    moved: int = 0  # to the person's other messenger
    mailed: int = 0  # sent by e-mail instead
    dropped: int = 0


async def reroute_blocked(session: AsyncSession, chat_id: int, error: str) -> BlockOutcome:
    """403 from ``chat_id``'s messenger: remember the block, then move what is queued for that chat.

    Messages still pending for the chat (including the one that was refused) go to the person's
    other messenger when they have an open account there, else — once per message — to the e-mail
    we trust for them, else they are dropped. Edits and deletions are dropped: their message is in
    the blocked chat."""
    now = utcnow()
    await session.execute(
        update(TelegramAccount)
        .where(TelegramAccount.chat_id == chat_id, TelegramAccount.blocked_at.is_(None))
        .values(blocked_at=now)
    )
    await session.flush()
    pending = (
        await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
            )
        )
    ).all()
    if not pending:
        return BlockOutcome()
    person, target = await _fallback_target(session, chat_id)
    moved = mailed = dropped = 0
    for message in pending:
        outcome = await _fall_back(session, message, person, target, error, dropped=OutboxStatus.DROPPED)
        moved += outcome == "moved"
        mailed += outcome == "mailed"
        dropped += outcome == "dropped"
    return BlockOutcome(moved=moved, mailed=mailed, dropped=dropped)


async def reroute_undeliverable(session: AsyncSession, message_id: int, error: str) -> str:
    """A message its messenger kept failing (retries used up: the messenger is down or refuses the
    chat) goes to the person's other messenger, else by e-mail, else stays failed. The chat is not
    marked blocked: the next notice tries it again. Returns "moved", "mailed" or "dropped"."""
    message = await session.get(OutboxMessage, message_id)
    if message is None:
        return "dropped"
    # Never back to a chat that already failed it.
    tried = {message.chat_id, *((message.moved_from,) if message.moved_from is not None else ())}
    person, target = await _fallback_target(session, message.chat_id, avoid=tried)
    outcome = await _fall_back(session, message, person, target, error, dropped=OutboxStatus.FAILED)
    await session.flush()
    return outcome


async def _fallback_target(
    session: AsyncSession, chat_id: int, *, avoid: frozenset[int] | set[int] = frozenset()
) -> tuple[_Person | None, int]:
    """The person behind ``chat_id`` and the chat their notices should go to now."""
    person = (await _people(session, {chat_id})).get(chat_id)
    if person is None:
        return None, chat_id
    accounts = (await _accounts(session, [person])).get((person.kind, person.id), [])
    return person, _choose(person, [a for a in accounts if a.address not in avoid], chat_id)


async def _fall_back(
    session: AsyncSession,
    message: OutboxMessage,
    person: _Person | None,
    target: int,
    error: str,
    *,
    dropped: OutboxStatus,
) -> str:
    chat_id = message.chat_id
    routable = message.method in ROUTABLE_METHODS and not (message.batch or "").startswith(
        _NO_FALLBACK_BATCH_PREFIXES
    )
    if routable and target != chat_id:
        message.moved_from = message.moved_from or chat_id
        message.chat_id = target
        message.payload = {**message.payload, "chat_id": target}
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = utcnow()
        message.last_error = f"moved from {chat_id}: {error}"[:2000]
        return "moved"
    message.status = dropped
    message.last_error = error[:2000]
    if routable and person is not None and person.email and await _mail(session, message, person):
        message.status = OutboxStatus.DROPPED
        message.last_error = f"{error} — sent by e-mail"[:2000]
        return "mailed"
    return "dropped"


NOTICE_SUBJECT = N_("A notice from Porucheno")
_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """Telegram HTML (a handful of inline tags, newlines as they are) as plain text."""
    return html.unescape(_TAG.sub("", text)).strip()


async def _mail(session: AsyncSession, message: OutboxMessage, person: _Person) -> bool:
    source = message.payload.get("text") or message.payload.get("caption") or ""
    if not source and isinstance(message.payload.get("media"), list):
        source = next((m.get("caption") for m in message.payload["media"] if m.get("caption")), "")
    body = _plain(str(source))
    if not body or person.email is None:
        return False
    return await enqueue_mail(
        session,
        appeal_id=None,
        to=person.email,
        subject=gettext(person.locale or DEFAULT_LOCALE, NOTICE_SUBJECT),
        body=body,
        in_reply_to=None,
        dedup_key=f"outbox-fallback:{message.id}",
    )
