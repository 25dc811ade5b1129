"""Departments: name, short name, parent (by name, short name or external id), external id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from models import Department
from services.imports.base import Cells, ChunkContext, ImportKind, assign_changed
from services.imports.columns import Column, header_key, required, text
from services.notify import N_


@dataclass(slots=True)
class _Dept:
    name: str
    short_name: str
    parent: str
    external_id: str


class DepartmentsKind(ImportKind):
    name = "departments"
    title = N_("Departments")
    columns = (
        Column(
            "name",
            N_("Department"),
            ("наименование", "название", "отдел", "подразделение", "department"),
            required=True,
            example="Отдел ЖКХ",
        ),
        Column(
            "short_name", N_("Short name"), ("краткое наименование", "сокращение", "short"), example="ЖКХ"
        ),
        Column(
            "parent", N_("Parent department"), ("вышестоящее", "родитель", "parent"), example="Администрация"
        ),
        Column(
            "external_id",
            N_("External id"),
            ("код", "id", "внешний id", "внешний код", "code"),
            example="D-010",
        ),
    )

    def parse(self, cells: Cells, ctx: ChunkContext) -> _Dept:
        return _Dept(
            name=required(text(cells.get("name"), limit=255, name="name"), "name"),
            short_name=text(cells.get("short_name"), limit=64, name="short_name"),
            parent=text(cells.get("parent"), limit=255, name="parent"),
            external_id=text(cells.get("external_id"), limit=100, name="external_id"),
        )

    async def apply(self, ctx: ChunkContext, rows: list[tuple[int, Any]]) -> None:
        # Departments are few (hundreds at most): row by row, flushed, so a parent defined a few
        # rows above in the same file is found.
        session = ctx.session
        for number, row in rows:
            dept = None
            if row.external_id:
                dept = await session.scalar(
                    select(Department).where(Department.external_id == row.external_id)
                )
            if dept is None:
                dept = await session.scalar(select(Department).where(Department.name == row.name))
                if dept is not None and dept.external_id and row.external_id:
                    ctx.report.reject(
                        number,
                        N_('A department named "%(name)s" already exists with another external id.'),
                        name=row.name,
                    )
                    continue
            elif dept.name != row.name:
                clash = await session.scalar(select(Department.id).where(Department.name == row.name))
                if clash is not None:
                    ctx.report.reject(
                        number, N_('A department named "%(name)s" already exists.'), name=row.name
                    )
                    continue
            parent_id = None
            if row.parent:
                parent = await session.scalar(
                    select(Department).where(
                        (Department.external_id == row.parent)
                        | (Department.name == row.parent)
                        | (Department.short_name == row.parent)
                    )
                )
                if parent is None and not ctx.is_pending("departments", header_key(row.parent)):
                    ctx.report.reject(number, N_('Unknown parent department "%(value)s".'), value=row.parent)
                    continue
                if parent is not None and dept is not None and parent.id == dept.id:
                    ctx.report.reject(number, N_("A department cannot be its own parent."))
                    continue
                parent_id = parent.id if parent is not None else None
            values = {"name": row.name, "short_name": row.short_name or None, "parent_id": parent_id}
            if row.external_id:
                values["external_id"] = row.external_id
            if dept is None:
                if ctx.is_pending("departments", header_key(row.external_id or row.name)):
                    ctx.report.updated += 1
                    continue
                session.add(Department(**values))
                await session.flush()
                ctx.remember(
                    "departments",
                    header_key(row.name),
                    header_key(row.external_id),
                    header_key(row.short_name),
                )
                ctx.report.created += 1
                continue
            if not row.parent:
                values.pop("parent_id")  # an empty cell changes nothing
            if not row.short_name:
                values.pop("short_name")
            changed = assign_changed(dept, values)
            if changed:
                await session.flush()
            ctx.report.found(changed)
        ctx.cache.pop("departments", None)
