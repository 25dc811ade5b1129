"""Reading appeals: the resident's own list in the bot, the panel's filtered list, overdue figures,
"ready to answer" (every linked assignment finished and at least one done)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Assignment, Correspondent, TelegramAccount, User, utcnow
from models.enums import OPEN_APPEAL_STATUSES, OPEN_ASSIGNMENT_STATUSES, AppealStatus, AssignmentStatus
from services.appeals import access
from services.correspondents.normalize import phone_fragments, search_key
from services.streamed import in_parts, listed
from services.text_search import contains, plan_with_values

# Open: not yet answered, rejected, closed or redirected; «received» waits for registration.
# A declined assignment still waits to be reassigned, so it keeps the appeal from being ready.
UNFINISHED_ASSIGNMENT_STATES = (*OPEN_ASSIGNMENT_STATUSES, AssignmentStatus.DECLINED)
SEARCH_LIMIT = 200
# "Near the legal deadline": the answer is due within this time (the clerk's home page and list).
DUE_SOON = timedelta(days=3)
SORT_KEYS = {
    "registered": Appeal.registered_at,
    "number": Appeal.reg_number,
    "due": Appeal.due_at,
    "status": Appeal.status,
    "channel": Appeal.channel,
}


@dataclass(frozen=True, slots=True)
class AppealFilters:
    status: str | None = None
    channel: str | None = None
    category_id: int | None = None
    correspondent_id: int | None = None
    overdue: bool = False
    regime: str | None = None  # AppealRegime (547-FZ)
    registration_overdue: bool = False  # waiting in «received» past its 3-day registration term
    text: str | None = None  # number, subject or text fragment, correspondent name / phone / e-mail
    registered_from: datetime | None = None
    registered_before: datetime | None = None
    now: datetime | None = None  # what "overdue" is measured against (default: now)
    unassigned: bool = False  # open, and no assignment works on it yet
    due_before: datetime | None = None  # open, not overdue yet, answer due before this moment
    sort: str = "registered"  # one of SORT_KEYS
    desc: bool = True
    # Repeated / collective marks and art. 11 outcomes (services/appeals/links, outcomes).
    repeated: bool = False
    collective: bool = False
    outcome: str | None = None


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    return appeal.status in OPEN_APPEAL_STATUSES and now > appeal.due_at


def _overdue_clause(now: datetime):  # type: ignore[no-untyped-def]
    return (Appeal.status.in_(OPEN_APPEAL_STATUSES)) & (Appeal.due_at < now)


async def overdue_count(session: AsyncSession, now: datetime) -> int:
    return await session.scalar(select(func.count()).select_from(Appeal).where(_overdue_clause(now))) or 0


def _registration_overdue_clause(now: datetime):  # type: ignore[no-untyped-def]
    return (Appeal.status == AppealStatus.RECEIVED) & (Appeal.registration_due_at < now)


def _text_clause(session: AsyncSession, raw: str):  # type: ignore[no-untyped-def]
    fragment = raw.strip()[:SEARCH_LIMIT]
    key = search_key(fragment)
    people = [
        Correspondent.name_search.contains(key, autoescape=True),
        Correspondent.email.contains(key, autoescape=True),
    ]
    people += [Correspondent.phone_normalized.contains(d, autoescape=True) for d in phone_fragments(fragment)]
    matching_people = select(Correspondent.id).where(or_(*people))
    if session.bind.dialect.name == "postgresql":
        # One arm per index: an OR with the ``IN (people)`` arm cannot be a bitmap OR, so PostgreSQL
        # scanned every appeal; the union reads each trigram index (and the correspondent index) once.
        arms = (
            Appeal.reg_number.contains(fragment, autoescape=True),
            Appeal.correspondent_id.in_(matching_people),
            Appeal.subject.icontains(fragment, autoescape=True),
            Appeal.text.icontains(fragment, autoescape=True),
        )
        return Appeal.id.in_(union(*(select(Appeal.id).where(arm) for arm in arms)))
    words = [contains(session, column, fragment) for column in (Appeal.subject, Appeal.text)]
    return or_(
        Appeal.reg_number.contains(fragment, autoescape=True),
        Appeal.correspondent_id.in_(matching_people),
        *words,
    )


def _filtered(session: AsyncSession, f: AppealFilters) -> Select:  # type: ignore[type-arg]
    query = select(Appeal)
    if f.status:
        query = query.where(Appeal.status == f.status)
    if f.channel:
        query = query.where(Appeal.channel == f.channel)
    if f.category_id is not None:
        query = query.where(Appeal.category_id == f.category_id)
    if f.correspondent_id is not None:
        query = query.where(Appeal.correspondent_id == f.correspondent_id)
    if f.overdue:
        query = query.where(_overdue_clause(f.now or utcnow()))
    if f.regime:
        query = query.where(Appeal.regime == f.regime)
    if f.registration_overdue:
        query = query.where(_registration_overdue_clause(f.now or utcnow()))
    if f.unassigned:
        query = query.where(
            Appeal.status.in_(OPEN_APPEAL_STATUSES),
            ~Appeal.id.in_(select(Assignment.appeal_id).where(Assignment.appeal_id.is_not(None))),
        )
    if f.due_before is not None:
        query = query.where(
            Appeal.status.in_(OPEN_APPEAL_STATUSES),
            Appeal.due_at >= (f.now or utcnow()),
            Appeal.due_at < f.due_before,
        )
    if f.registered_from is not None:
        query = query.where(Appeal.registered_at >= f.registered_from)
    if f.registered_before is not None:
        query = query.where(Appeal.registered_at < f.registered_before)
    if f.text and f.text.strip():
        query = query.where(_text_clause(session, f.text))
    # Repeated / collective marks and art. 11 outcomes.
    if f.repeated:
        query = query.where(Appeal.repeat_of_id.is_not(None))
    if f.collective:
        query = query.where(Appeal.is_collective.is_(True))
    if f.outcome:
        query = query.where(Appeal.outcome == f.outcome)
    return query


async def _in_scope(session: AsyncSession, query: Select, viewer: User | None) -> Select:  # type: ignore[type-arg]
    """Limit ``query`` to the appeals ``viewer`` may see (a clerk: their scope; see ``access``)."""
    if viewer is None or access.sees_all(viewer):
        return query
    clause = access.visible_clause(viewer, await access.clerk_map(session))
    return query if clause is None else query.where(clause)


async def _listed(session: AsyncSession, filters: AppealFilters, viewer: User | None) -> Select:  # type: ignore[type-arg]
    """The list's query for ``filters`` as ``viewer`` sees it."""
    if filters.text and filters.text.strip():
        await plan_with_values(session)
    return await _in_scope(session, _filtered(session, filters), viewer)


def _order(filters: AppealFilters) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The list's order: the chosen column (registration by default), ties by id."""
    column = SORT_KEYS.get(filters.sort, Appeal.registered_at)
    return (column.desc(), Appeal.id.desc()) if filters.desc else (column.asc(), Appeal.id.asc())


async def list_appeals(
    session: AsyncSession,
    filters: AppealFilters,
    *,
    viewer: User | None = None,
    limit: int = 25,
    offset: int = 0,
) -> tuple[Sequence[Appeal], int]:
    """One page in the filters' order (newest first by default, ties by id) and the total count;
    with ``viewer``, only what that staff member may see."""
    query = await _listed(session, filters, viewer)
    total = await count_appeals(session, filters, viewer=viewer)
    rows = await listed(session, query.order_by(*_order(filters)).limit(limit).offset(offset), limit=limit)
    return rows, total


async def appeals_in_parts(
    session: AsyncSession, filters: AppealFilters, *, viewer: User | None = None, limit: int
) -> AsyncIterator[Sequence[Appeal]]:
    """The list for an export (at most ``limit`` appeals, in the list's order), a part at a time."""
    query = await _listed(session, filters, viewer)
    async with contextlib.aclosing(in_parts(session, query.order_by(*_order(filters)).limit(limit))) as parts:
        async for part in parts:
            yield part


async def count_appeals(session: AsyncSession, filters: AppealFilters, *, viewer: User | None = None) -> int:
    """How many appeals the panel's list shows for ``filters`` (the home page's figures use it too)."""
    query = await _listed(session, filters, viewer)
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0


async def appeal_by_number(session: AsyncSession, reg_number: str) -> Appeal | None:
    return await session.scalar(select(Appeal).where(Appeal.reg_number == reg_number.strip()))


async def find_with_code(session: AsyncSession, number: str, code: str) -> Appeal | None:
    """The public status page's lookup: an appeal opens only with its access code."""
    appeal = await appeal_by_number(session, number.lstrip("№ "))
    # An unknown number is compared too, so both refusals take the same time.
    if not access.matches(appeal.access_code_hash if appeal is not None else None, code):
        return None
    return appeal


def _own_appeals(telegram_id: int):  # type: ignore[no-untyped-def]
    """A Telegram user's appeals: the ones written from this account, and those of the records it
    holds by proof (filed under its id, or linked by a shared contact or a confirmed e-mail; see
    ``services.correspondents.proofs``). Typed contacts never link a record, so they show nothing."""
    return or_(
        Appeal.telegram_id == telegram_id,
        Appeal.correspondent_id.in_(select(Correspondent.id).where(Correspondent.telegram_id == telegram_id)),
        Appeal.correspondent_id.in_(
            select(TelegramAccount.correspondent_id).where(
                TelegramAccount.id == telegram_id, TelegramAccount.correspondent_id.is_not(None)
            )
        ),
    )


async def appeals_of_telegram_user(
    session: AsyncSession, telegram_id: int, *, limit: int = 10, offset: int = 0
) -> Sequence[Appeal]:
    rows = await session.scalars(
        select(Appeal)
        .where(_own_appeals(telegram_id))
        .order_by(Appeal.registered_at.desc(), Appeal.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.all()


async def appeal_for_telegram_user(session: AsyncSession, appeal_id: int, telegram_id: int) -> Appeal | None:
    """The appeal if it is this user's own, else None (someone else's looks like a missing one)."""
    return await session.scalar(
        select(Appeal)
        .where(Appeal.id == appeal_id, _own_appeals(telegram_id))
        .execution_options(populate_existing=True)
    )


async def ready_to_answer_ids(session: AsyncSession, appeal_ids: Iterable[int]) -> set[int]:
    """Open appeals among ``appeal_ids`` whose linked assignments are all finished, one done."""
    ids = list(set(appeal_ids))
    if not ids:
        return set()
    rows = await session.execute(
        select(Assignment.appeal_id, Assignment.status)
        .join(Appeal, Appeal.id == Assignment.appeal_id)
        .where(Assignment.appeal_id.in_(ids), Appeal.status.in_(OPEN_APPEAL_STATUSES))
    )
    statuses: dict[int, set[str]] = {}
    for appeal_id, status in rows.all():
        statuses.setdefault(appeal_id, set()).add(status)
    unfinished = set(UNFINISHED_ASSIGNMENT_STATES)
    return {i for i, s in statuses.items() if AssignmentStatus.DONE in s and not s & unfinished}


async def ready_to_answer(session: AsyncSession, appeal_id: int) -> bool:
    return appeal_id in await ready_to_answer_ids(session, [appeal_id])
