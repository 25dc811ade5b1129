"""Appeal categories as every channel shows them: which ones are offered, and their names.

One place for both rules, so the bot, the public form, Open311 and the panel never disagree.
Staff-only categories (``audience = staff``) are never offered to residents: the resident channels
list categories through :func:`offered` and intake re-checks the choice with :func:`may_choose`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Category
from models.enums import CategoryAudience
from services.textfold import fold

IS_ACTIVE = Category.is_active.is_(True)
# Residents (bot, public form, Open311, e-mail) may choose these; staff may choose every active one.
FOR_RESIDENTS = Category.audience != CategoryAudience.STAFF.value
ORDER = (Category.name_ru, Category.id)
# «Other» is where a resident goes when nothing above fits: always the last choice, whatever the sort.
# Known by its code, or by its name when an administrator created it under another code.
OTHER_CODES = frozenset({"other", "others", "misc", "prochee", "drugoe"})
OTHER_NAMES = frozenset(
    {"другое", "прочее", "иное", "другие вопросы", "прочие вопросы", "иные вопросы", "other"}
)


def name_in(category: Category, locale: str | None) -> str:
    """The category's name in ``locale``: English where it has one, Russian otherwise."""
    if locale == "en" and category.name_en:
        return category.name_en
    return category.name_ru


def may_choose(category: Category, *, staff: bool) -> bool:
    """Whether a new appeal may take ``category``: active, and not staff-only unless staff chose it."""
    return bool(category.is_active) and (staff or category.audience != CategoryAudience.STAFF)


def is_other(category: Category) -> bool:
    """Whether ``category`` is the catch-all «Other» topic."""
    names = (fold(" ".join((n or "").split())) for n in (category.name_ru, category.name_en))
    return fold(category.code) in OTHER_CODES or any(n in OTHER_NAMES for n in names)


def in_order(found: Iterable[Category], locale: str | None = None) -> list[Category]:
    """Categories as every list shows them: by name (in ``locale`` when given, case- and «ё»-blind),
    «Other» last."""
    rows = list(found)
    if locale is not None:
        rows.sort(key=lambda c: (fold(name_in(c, locale)), c.id))
    return sorted(rows, key=is_other)  # stable: the order above stays within each part


async def offered(session: AsyncSession, *, staff: bool, locale: str | None = None) -> list[Category]:
    """The categories a new appeal may take from this kind of author, in catalogue order (by the
    names in ``locale`` when given), «Other» last."""
    query = select(Category).where(IS_ACTIVE)
    if not staff:
        query = query.where(FOR_RESIDENTS)
    return in_order((await session.scalars(query.order_by(*ORDER))).all(), locale)


async def active(session: AsyncSession) -> list[Category]:
    """Every active category (what staff may choose)."""
    return await offered(session, staff=True)
