"""Appeal categories (topics) as the administrator keeps them: create, edit, deactivate.

Which categories a channel offers is decided in ``services.appeals.categories``; this module only
edits the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Category, ClassifierEntry, Department
from models.enums import CategoryAudience
from services.audit import Actor, record
from services.config.access import require_admin
from services.errors import InvalidInput, NotFound

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_DAYS = 365
CLASSIFIER_QUESTION_LEVEL = 4


@dataclass(frozen=True, slots=True)
class CategoryInput:
    code: str
    name_ru: str
    name_en: str
    answer_days: int
    department_id: int | None = None
    audience: str = CategoryAudience.BOTH.value
    # The thematic classifier's question a new appeal of this topic starts with (None: no default).
    classifier_code: str | None = None


async def list_all(session: AsyncSession) -> list[Category]:
    """Every category, active ones first, then by Russian name."""
    query = select(Category).order_by(Category.is_active.desc(), Category.name_ru, Category.id)
    return list((await session.scalars(query)).all())


async def get(session: AsyncSession, category_id: int) -> Category:
    category = await session.get(Category, category_id)
    if category is None:
        raise NotFound("Category not found.")
    return category


async def _validate(session: AsyncSession, data: CategoryInput, exclude_id: int | None) -> CategoryInput:
    code = data.code.strip().lower()
    if not CODE_RE.match(code):
        raise InvalidInput(
            "The code takes Latin letters, digits, dots, dashes and underscores (up to 64).", field="code"
        )
    taken = await session.scalar(select(Category.id).where(func.lower(Category.code) == code))
    if taken is not None and taken != exclude_id:
        raise InvalidInput("A category with this code already exists.", field="code")
    name_ru, name_en = data.name_ru.strip(), data.name_en.strip()
    if not name_ru:
        raise InvalidInput("Enter the Russian name.", field="name_ru")
    if not 1 <= data.answer_days <= MAX_DAYS:
        raise InvalidInput("The answer term is 1 to %(n)d days.", n=MAX_DAYS, field="answer_days")
    if data.audience not in {a.value for a in CategoryAudience}:
        raise InvalidInput("Choose who may use the category.", field="audience")
    if data.department_id is not None:
        dept = await session.get(Department, data.department_id)
        if dept is None or not dept.is_active:
            raise InvalidInput("Unknown department.", field="department_id")
    classifier_code = (data.classifier_code or "").strip() or None
    if classifier_code is not None:
        # Read from the table itself: services.appeals (the classifier's home) imports this package.
        entry = await session.scalar(select(ClassifierEntry).where(ClassifierEntry.code == classifier_code))
        if entry is None or not entry.is_active or entry.level != CLASSIFIER_QUESTION_LEVEL:
            raise InvalidInput(
                "Choose a question (the last level) of the classifier: “%(code)s” is not one.",
                code=classifier_code[:40],
                field="classifier_code",
            )
    return CategoryInput(
        code=code,
        name_ru=name_ru,
        name_en=name_en or name_ru,
        answer_days=data.answer_days,
        department_id=data.department_id,
        audience=data.audience,
        classifier_code=classifier_code,
    )


async def save(session: AsyncSession, actor: Actor, category_id: int | None, data: CategoryInput) -> Category:
    """Create (``category_id=None``) or update a category; audited with the changed fields."""
    await require_admin(session, actor)
    clean = await _validate(session, data, category_id)
    values = asdict(clean)
    if category_id is None:
        category = Category(**values, is_active=True)
        session.add(category)
        await session.flush()
        record(session, actor, "category", category.id, "created", data=values)
    else:
        category = await get(session, category_id)
        changes = {k: [getattr(category, k), v] for k, v in values.items() if getattr(category, k) != v}
        for key, (_old, new) in changes.items():
            setattr(category, key, new)
        if changes:
            record(session, actor, "category", category.id, "updated", data={"changes": changes})
    await session.flush()
    return category


async def set_active(session: AsyncSession, actor: Actor, category_id: int, active: bool) -> Category:
    """Deactivate (no longer offered anywhere; old appeals keep it) or bring a category back."""
    await require_admin(session, actor)
    category = await get(session, category_id)
    if category.is_active != active:
        category.is_active = active
        record(session, actor, "category", category.id, "activated" if active else "deactivated")
        await session.flush()
    return category
