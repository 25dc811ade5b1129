"""Reading appeals for the Open311 GeoReport v2 API.

Only appeals that came in through Open311 are listed: GET requests need no key (per the spec), and
letters, Telegram messages and web-form texts carry personal details their authors never meant to
publish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Category, Department, utcnow
from models.enums import AppealChannel, AppealStatus
from services.appeals import categories

MAX_RESULTS = 1000
DEFAULT_PERIOD = timedelta(days=90)
# Open311 knows two states. One line per appeal status: a new status is added here, nowhere else
# (a test checks every AppealStatus is mapped).
STATUS_GROUPS: dict[str, str] = {
    AppealStatus.RECEIVED: "open",
    AppealStatus.REGISTERED: "open",
    AppealStatus.IN_WORK: "open",
    AppealStatus.ANSWERED: "closed",
    AppealStatus.CLOSED: "closed",
    AppealStatus.REJECTED: "closed",
    AppealStatus.REDIRECTED: "closed",  # for us: another body answers it
}
OPEN_STATUSES = tuple(s for s, group in STATUS_GROUPS.items() if group == "open")
CLOSED_STATUSES = tuple(s for s, group in STATUS_GROUPS.items() if group == "closed")


@dataclass(frozen=True, slots=True)
class RequestRow:
    appeal: Appeal
    category: Category | None
    department_name: str | None


@dataclass(frozen=True, slots=True)
class RequestFilters:
    """``ids`` (registration numbers) override every other filter, as the spec says."""

    ids: tuple[str, ...] = ()
    service_code: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None  # "open" | "closed"


def status_group(status: str) -> str:
    """An unmapped status reads as open: nothing is shown as finished that was not."""
    return STATUS_GROUPS.get(status, "open")


def _base_query():  # type: ignore[no-untyped-def]
    return (
        select(Appeal, Category, Department.name)
        .outerjoin(Category, Category.id == Appeal.category_id)
        # The department routing chose at registration, else the topic's default one.
        .outerjoin(Department, Department.id == func.coalesce(Appeal.department_id, Category.department_id))
        .where(Appeal.channel == AppealChannel.OPEN311)
    )


async def list_requests(
    session: AsyncSession, filters: RequestFilters, *, now: datetime | None = None
) -> Sequence[RequestRow]:
    query = _base_query()
    if filters.ids:
        query = query.where(Appeal.reg_number.in_(filters.ids[:MAX_RESULTS]))
    else:
        end = filters.end or now or utcnow()
        start = filters.start or end - DEFAULT_PERIOD
        query = query.where(Appeal.registered_at >= start, Appeal.registered_at <= end)
        if filters.service_code:
            query = query.where(Category.code == filters.service_code)
        if filters.status == "open":
            query = query.where(Appeal.status.in_(OPEN_STATUSES))
        elif filters.status == "closed":
            query = query.where(Appeal.status.in_(CLOSED_STATUSES))
    query = query.order_by(Appeal.registered_at.desc(), Appeal.id.desc()).limit(MAX_RESULTS)
    rows = await session.execute(query)
    return [RequestRow(appeal, category, dept) for appeal, category, dept in rows]


async def request_by_number(session: AsyncSession, reg_number: str) -> RequestRow | None:
    row = (await session.execute(_base_query().where(Appeal.reg_number == reg_number))).first()
    return RequestRow(row[0], row[1], row[2]) if row else None


def _services_query():  # type: ignore[no-untyped-def]
    """Active categories a resident may choose (never a staff-only one), with their department's name."""
    return (
        select(Category, Department.name)
        .outerjoin(Department, Department.id == Category.department_id)
        .where(categories.IS_ACTIVE, categories.FOR_RESIDENTS)
    )


async def services(session: AsyncSession) -> Sequence[tuple[Category, str | None]]:
    """The Open311 service list: offered categories and their department (the ``group``)."""
    query = _services_query().order_by(*categories.ORDER)
    return [(category, dept) for category, dept in await session.execute(query)]


async def service(session: AsyncSession, code: str) -> tuple[Category, str | None] | None:
    """One offered service by its code; ``None`` for unknown, inactive and staff-only ones alike."""
    row = (await session.execute(_services_query().where(Category.code == code))).first()
    return (row[0], row[1]) if row else None


async def active_category_by_code(session: AsyncSession, code: str) -> Category | None:
    """The category an Open311 client names, if a resident may choose it (never a staff-only one)."""
    category = await session.scalar(select(Category).where(Category.code == code))
    return category if category is not None and categories.may_choose(category, staff=False) else None
