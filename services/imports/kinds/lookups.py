"""Batch look-ups by key for one chunk: one query per key kind, never one per row."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, User
from services.imports.base import ChunkContext
from services.imports.columns import header_key

_IN = 500  # values per IN (...): well under SQLite's and asyncpg's parameter limits


def chunks(values: Iterable[str]) -> list[list[str]]:
    items = sorted({v for v in values if v})
    return [items[i : i + _IN] for i in range(0, len(items), _IN)]


async def users_by_keys(session: AsyncSession, keys: Iterable[str]) -> dict[str, User]:
    """Staff found by external id, login or e-mail (keys compared lower-cased, except external ids)."""
    found: dict[str, User] = {}
    for part in chunks(keys):
        lowered = [k.lower() for k in part]
        query = select(User).where(
            or_(User.external_id.in_(part), User.login.in_(lowered), func.lower(User.email).in_(lowered))
        )
        for user in (await session.scalars(query)).all():
            for key in (user.external_id, user.login, (user.email or "").lower()):
                if key:
                    found.setdefault(key, user)
    return found


def find_user(found: dict[str, User], key: str) -> User | None:
    return found.get(key) or found.get(key.lower())


async def departments_index(ctx: ChunkContext) -> dict[str, int]:
    """Every department by its external id, name and short name (folded): departments are few."""
    index: dict[str, int] = {}
    for dept in (await ctx.session.scalars(select(Department))).all():
        for key in (dept.external_id, dept.name, dept.short_name):
            if key:
                index.setdefault(header_key(key), dept.id)
    return index


async def department_id(ctx: ChunkContext, ref: str) -> int | None:
    """The department named (or numbered) ``ref``; -1 for one only a dry run's earlier chunk made."""
    if "departments" not in ctx.cache:
        ctx.cache["departments"] = await departments_index(ctx)
    found = ctx.cache["departments"].get(header_key(ref))
    if found is None and ctx.is_pending("departments", header_key(ref)):
        return -1
    return found
