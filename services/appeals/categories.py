"""Appeal categories as every channel shows them: which ones are offered, and their names.

One place for both rules, so the bot, the public form, Open311 and the panel never disagree.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Category

IS_ACTIVE = Category.is_active.is_(True)
ORDER = (Category.name_ru, Category.id)


def name_in(category: Category, locale: str | None) -> str:
    """The category's name in ``locale``: English where it has one, Russian otherwise."""
    if locale == "en" and category.name_en:
        return category.name_en
    return category.name_ru


async def active(session: AsyncSession) -> list[Category]:
    """The categories a new appeal may take, in catalogue order."""
    return list((await session.scalars(select(Category).where(IS_ACTIVE).order_by(*ORDER))).all())
