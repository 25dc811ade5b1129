"""Appeal categories as every channel shows them: which ones are offered, and their names.

One place for both rules, so the bot, the public form, Open311 and the panel never disagree.
Staff-only categories (``audience = staff``) are never offered to residents: the resident channels
list categories through :func:`offered` and intake re-checks the choice with :func:`may_choose`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Category
from models.enums import CategoryAudience

IS_ACTIVE = Category.is_active.is_(True)
# Residents (bot, public form, Open311, e-mail) may choose these; staff may choose every active one.
FOR_RESIDENTS = Category.audience != CategoryAudience.STAFF.value
ORDER = (Category.name_ru, Category.id)


def name_in(category: Category, locale: str | None) -> str:
    """The category's name in ``locale``: English where it has one, Russian otherwise."""
    if locale == "en" and category.name_en:
        return category.name_en
    return category.name_ru


def may_choose(category: Category, *, staff: bool) -> bool:
    """Whether a new appeal may take ``category``: active, and not staff-only unless staff chose it."""
    return bool(category.is_active) and (staff or category.audience != CategoryAudience.STAFF)


async def offered(session: AsyncSession, *, staff: bool) -> list[Category]:
    """The categories a new appeal may take from this kind of author, in catalogue order."""
    query = select(Category).where(IS_ACTIVE)
    if not staff:
        query = query.where(FOR_RESIDENTS)
    return list((await session.scalars(query.order_by(*ORDER))).all())


async def active(session: AsyncSession) -> list[Category]:
    """Every active category (what staff may choose)."""
    return await offered(session, staff=True)
