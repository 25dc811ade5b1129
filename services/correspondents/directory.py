"""Finding, creating and looking up correspondents (the people and organisations who write in).

An appeal finds an existing record only through a proof: the sender's own Telegram id, a phone
shared from Telegram's contact button, an e-mail confirmed with a code or the address a letter came
from (or a clerk's pick). Typed contacts never reach an existing record: they stay on the appeal and
the new record, and a match raises a duplicate suggestion for a clerk. A record merged into another
one is followed to the surviving record, so old keys still find the right person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Correspondent, TelegramAccount
from models.enums import CorrespondentKind
from services.audit import Actor, record
from services.correspondents.contact import ContactInput
from services.correspondents.normalize import (
    name_key,
    normalize_email,
    normalize_phone,
    phone_fragments,
    search_key,
)
from services.errors import InvalidInput, NotFound
from services.streamed import listed
from services.text_search import plan_with_values

NAME_LIMIT = 255
MERGE_CHAIN_LIMIT = 20
CARD_APPEALS_LIMIT = 100


def _clip(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def display_name(contact: ContactInput) -> str:
    """The name to file the record under; a nameless writer is filed under a contact they gave."""
    for value in (contact.name, normalize_email(contact.email), contact.phone):
        if value and value.strip():
            return value.strip()[:NAME_LIMIT]
    if contact.telegram_id is not None:
        return f"Telegram {contact.telegram_id}"
    return "—"


async def resolve(session: AsyncSession, correspondent: Correspondent) -> Correspondent:
    """The surviving record of a merge chain."""
    for _ in range(MERGE_CHAIN_LIMIT):
        if correspondent.merged_into_id is None:
            return correspondent
        target = await session.get(Correspondent, correspondent.merged_into_id)
        if target is None:
            return correspondent
        correspondent = target
    return correspondent


def unowned_by_others(telegram_id: int):  # type: ignore[no-untyped-def]
    """A record no other Telegram account holds: a proof links only to such a record."""
    other_accounts = select(TelegramAccount.correspondent_id).where(
        TelegramAccount.id != telegram_id, TelegramAccount.correspondent_id.is_not(None)
    )
    return or_(
        Correspondent.telegram_id.is_(None), Correspondent.telegram_id == telegram_id
    ) & Correspondent.id.not_in(other_accounts)


async def first_record(session: AsyncSession, *conditions) -> Correspondent | None:  # type: ignore[no-untyped-def]
    found = await session.scalar(
        select(Correspondent)
        .where(*conditions)
        .order_by(Correspondent.merged_into_id.is_not(None), Correspondent.id)
        .limit(1)
    )
    return await resolve(session, found) if found is not None else None


async def own_record(session: AsyncSession, telegram_id: int) -> Correspondent | None:
    """The record a Telegram account holds: the one linked to it, else one filed under its id."""
    linked = await session.scalar(
        select(TelegramAccount.correspondent_id).where(TelegramAccount.id == telegram_id)
    )
    if linked is not None:
        record_ = await session.get(Correspondent, linked)
        if record_ is not None:
            return await resolve(session, record_)
    return await first_record(session, Correspondent.telegram_id == telegram_id)


async def find_existing(
    session: AsyncSession, *, telegram_id: int | None, phone: str | None, email: str | None
) -> Correspondent | None:
    """The record an appeal belongs to, from proofs only: the sender's own Telegram id, then a
    proven phone, then a proven e-mail (``phone`` and ``email`` must be proven by the caller).

    With a Telegram id, a proven contact finds a record no other account holds (its key may have
    been typed by whoever filed it: the proof shows this person owns the contact). Without one
    (a letter's address), only a record whose e-mail was proven too.
    """
    if telegram_id is not None:
        own = await own_record(session, telegram_id)
        if own is not None:
            return own
        free = unowned_by_others(telegram_id)
        if phone:
            found = await first_record(session, Correspondent.phone_normalized == phone, free)
            if found is not None:
                return found
        if email:
            return await first_record(session, Correspondent.email == email, free)
        return None
    if phone:
        proven = Correspondent.phone_proven.is_(True)
        found = await first_record(session, Correspondent.phone_normalized == phone, proven)
        if found is not None:
            return found
    if email:
        return await first_record(session, Correspondent.email == email, Correspondent.email_proven.is_(True))
    return None


async def _lock_keys(session: AsyncSession, keys: list[str]) -> None:
    """Two registrations from one new person at once must not create two records. PostgreSQL:
    transaction-scoped advisory locks on the contact keys (taken in one order, so no deadlock).
    SQLite: a write statement takes the database write lock, so writers run one after another."""
    if session.bind.dialect.name == "postgresql":
        for key in sorted(set(keys)):
            await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("correspondent:" + key))))
    else:
        await session.execute(
            update(Correspondent)
            .where(Correspondent.id == -1)
            .values(appeals_count=Correspondent.appeals_count)
        )


async def find_or_create(session: AsyncSession, contact: ContactInput, *, actor: Actor) -> Correspondent:
    """The record an appeal is filed under. Only proofs find an existing record (see
    ``find_existing``), or a clerk's pick; typed contacts go into a new record and, when they match
    someone else's, into a duplicate suggestion (``suggestions``), never into an existing record."""
    phone = normalize_phone(contact.phone)
    email = normalize_email(contact.email)
    proven_phone = phone if contact.phone_proven else None
    proven_email = email if contact.email_proven else None
    keys = [f"tg:{contact.telegram_id}" if contact.telegram_id is not None else "", phone or "", email or ""]
    await _lock_keys(session, [k for k in keys if k])
    kind = contact.kind if contact.kind in set(CorrespondentKind) else CorrespondentKind.PERSON
    if contact.existing_id is not None:
        picked = await session.get(Correspondent, contact.existing_id)
        if picked is None:
            raise NotFound("Correspondent not found.")
        # A clerk's choice: the letter's contacts complete the record, as contacts nobody proved.
        correspondent = await resolve(session, picked)
        added = _fill_missing(correspondent, contact, phone, email, proven=False)
        _added(session, actor, correspondent, added)
        return correspondent
    existing = await find_existing(
        session, telegram_id=contact.telegram_id, phone=proven_phone, email=proven_email
    )
    if existing is None:
        name = display_name(contact)
        correspondent = Correspondent(
            kind=kind,
            name=name,
            name_search=name_key(name),
            phone=_clip(contact.phone, 32) if phone else None,
            phone_normalized=phone,
            phone_proven=proven_phone is not None,
            email=email,
            email_proven=proven_email is not None,
            telegram_id=contact.telegram_id,
            postal_address=_clip(contact.postal_address, 500),
            organisation_inn=_clip(contact.organisation_inn, 12),
            notes=_unusable_contacts(contact, phone, email),
            appeals_count=0,
        )
        session.add(correspondent)
        await session.flush()
        record(session, actor, "correspondent", correspondent.id, "created", data={"name": name})
    else:
        correspondent = existing
        # Only what is proven, and nothing a stranger could have typed (address, INN), completes it.
        proven = replace(
            contact, phone=proven_phone, email=proven_email, postal_address=None, organisation_inn=None
        )
        added = _fill_missing(correspondent, proven, proven_phone, proven_email)
        _added(session, actor, correspondent, added)
        _take_stated_name(session, actor, correspondent, contact)
    if contact.telegram_id is not None:
        await link_telegram_account(session, contact.telegram_id, correspondent.id)
    return correspondent


def _added(session: AsyncSession, actor: Actor, c: Correspondent, added: list[str]) -> None:
    if added:
        record(session, actor, "correspondent", c.id, "contacts_added", data={"fields": added})


def _take_stated_name(session: AsyncSession, actor: Actor, c: Correspondent, contact: ContactInput) -> None:
    """The person's own record (found by their Telegram id or a contact they proved) takes the full
    name they stated for this appeal: 59-FZ art. 7 wants the appeal under that name, and a record
    first filed under a messenger's profile name («Житель Иван») gets the real one. The audit keeps
    that the name changed, not the names (personal data stays on the record)."""
    name = _clip(contact.name, NAME_LIMIT)
    if not contact.name_stated or name is None or name == c.name:
        return
    c.name, c.name_search = name, name_key(name)
    record(session, actor, "correspondent", c.id, "name_stated")


def _unusable_contacts(contact: ContactInput, phone: str | None, email: str | None) -> str | None:
    """Contacts we cannot normalise are kept as notes for a clerk rather than dropped."""
    lines = []
    if contact.email and contact.email.strip() and email is None:
        lines.append(f"e-mail: {contact.email.strip()[:255]}")
    if contact.phone and contact.phone.strip() and phone is None and len(contact.phone.strip()) > 32:
        lines.append(f"phone: {contact.phone.strip()[:64]}")
    return "\n".join(lines) or None


def _fill_missing(
    c: Correspondent, contact: ContactInput, phone: str | None, email: str | None, *, proven: bool = True
) -> list[str]:
    """Complete a record with the contacts it lacks. Called with proven contacts only, or with a
    clerk's pick (``proven=False``: the values are kept but match nothing until proven)."""
    added = []
    if phone and not c.phone_normalized:
        c.phone, c.phone_normalized, c.phone_proven = _clip(contact.phone, 32), phone, proven
        added.append("phone")
    elif phone and proven and c.phone_normalized == phone and not c.phone_proven:
        c.phone_proven = True
        added.append("phone_proven")
    if email and not c.email:
        c.email, c.email_proven = email, proven
        added.append("email")
    elif email and proven and c.email == email and not c.email_proven:
        c.email_proven = True
        added.append("email_proven")
    if contact.telegram_id is not None and c.telegram_id is None:
        c.telegram_id = contact.telegram_id
        added.append("telegram_id")
    if contact.postal_address and not c.postal_address:
        c.postal_address = _clip(contact.postal_address, 500)
        added.append("postal_address")
    if contact.organisation_inn and not c.organisation_inn:
        c.organisation_inn = _clip(contact.organisation_inn, 12)
        added.append("organisation_inn")
    # A record first filed under a contact (a nameless e-mail) takes the real name once known.
    if (
        contact.name
        and contact.name.strip()
        and c.name in (c.email, c.phone, f"Telegram {c.telegram_id}", "—")
    ):
        c.name = contact.name.strip()[:NAME_LIMIT]
        c.name_search = name_key(c.name)
        added.append("name")
    return added


async def link_telegram_account(session: AsyncSession, telegram_id: int, correspondent_id: int) -> None:
    await session.execute(
        update(TelegramAccount)
        .where(TelegramAccount.id == telegram_id)
        .values(correspondent_id=correspondent_id)
        .execution_options(synchronize_session="fetch")
    )


SORT_KEYS = {
    "name": Correspondent.name_search,
    "appeals": Correspondent.appeals_count,
    "added": Correspondent.id,
}


def _order(sort: str, desc: bool) -> tuple[Any, Any]:
    column = SORT_KEYS.get(sort, Correspondent.name_search)
    return (column.desc(), Correspondent.id.desc()) if desc else (column.asc(), Correspondent.id.asc())


def _live(sort: str, desc: bool) -> Select[tuple[Correspondent]]:
    return select(Correspondent).where(Correspondent.merged_into_id.is_(None)).order_by(*_order(sort, desc))


async def listing_query(
    session: AsyncSession, text: str = "", *, sort: str = "name", desc: bool = False
) -> Select[tuple[Correspondent]] | None:
    """The directory's list: live records whose name, e-mail or phone contains ``text`` (``916 123``
    finds ``+79161234567``; ``иванов`` finds ``ИВАНОВ Иван`` on SQLite too, through ``name_search``),
    every live record when ``text`` is empty; None when ``text`` holds nothing to search by.
    Ordered by ``sort`` (one of ``SORT_KEYS``; names in their folded form), ties by id."""
    query = _live(sort, desc)
    if not text:
        return query
    key = search_key(text)
    if not key:
        return None
    conditions = [
        Correspondent.name_search.contains(key, autoescape=True),
        Correspondent.email.contains(key, autoescape=True),
    ]
    conditions += [Correspondent.phone_normalized.contains(d, autoescape=True) for d in phone_fragments(text)]
    await plan_with_values(session)
    return query.where(or_(*conditions))


async def search(
    session: AsyncSession,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "name",
    desc: bool = False,
) -> Sequence[Correspondent]:
    """Live records matching the fragment (``listing_query``); nothing for an empty one."""
    found = await listing_query(session, query, sort=sort, desc=desc) if query else None
    if found is None:
        return []
    return await listed(session, found.limit(limit).offset(offset), limit=limit)


async def recent(
    session: AsyncSession, *, limit: int, offset: int = 0, sort: str = "added", desc: bool = True
) -> Sequence[Correspondent]:
    """Live records without a search: the most recently added first unless sorted otherwise."""
    return await listed(session, _live(sort, desc).limit(limit).offset(offset), limit=limit)


async def get(session: AsyncSession, correspondent_id: int) -> Correspondent:
    correspondent = await session.get(Correspondent, correspondent_id)
    if correspondent is None:
        raise NotFound("Correspondent not found.")
    return correspondent


async def duplicates_of(session: AsyncSession, correspondent_id: int) -> Sequence[Correspondent]:
    """Other live records sharing a Telegram id, phone, e-mail or the exact same name."""
    c = await get(session, correspondent_id)
    keys = []
    if c.telegram_id is not None:
        keys.append(Correspondent.telegram_id == c.telegram_id)
    if c.phone_normalized:
        keys.append(Correspondent.phone_normalized == c.phone_normalized)
    if c.email:
        keys.append(Correspondent.email == c.email)
    if c.name_search and c.name_search != "—":
        keys.append(Correspondent.name_search == c.name_search)
    if not keys:
        return []
    rows = await session.scalars(
        select(Correspondent)
        .where(Correspondent.id != c.id, Correspondent.merged_into_id.is_(None), or_(*keys))
        .order_by(Correspondent.id)
    )
    return rows.all()


@dataclass(frozen=True, slots=True)
class CorrespondentCard:
    correspondent: Correspondent
    appeals_count: int
    appeals: Sequence[Appeal]  # newest first
    merged_into: Correspondent | None = None


async def card(
    session: AsyncSession, correspondent_id: int, *, limit: int = CARD_APPEALS_LIMIT
) -> CorrespondentCard:
    c = await get(session, correspondent_id)
    count = (
        await session.scalar(select(func.count()).select_from(Appeal).where(Appeal.correspondent_id == c.id))
        or 0
    )
    appeals = await session.scalars(
        select(Appeal)
        .where(Appeal.correspondent_id == c.id)
        .order_by(Appeal.registered_at.desc(), Appeal.id.desc())
        .limit(limit)
    )
    merged_into = await resolve(session, c) if c.merged_into_id is not None else None
    return CorrespondentCard(c, count, appeals.all(), merged_into)


def check_not_merged(c: Correspondent) -> None:
    if c.merged_into_id is not None:
        raise InvalidInput("This correspondent has already been merged into another record.")
