"""Staff: full name, position, department, e-mail, phone, login, roles, external id.

A row is matched to an existing staff member by external id, then login, then e-mail. Imported staff
get no password (they sign in to the panel after an administrator sets one) and no Telegram account:
invite links for them are made in bulk (:mod:`services.imports.invites`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from models import User, UserRole
from models.enums import Role
from services.imports.base import Cells, ChunkContext, ImportKind, assign_changed
from services.imports.columns import Column, Rejected, email, header_key, required, spellings, text
from services.imports.kinds.lookups import department_id, find_user, users_by_keys
from services.notify import N_

_LOGIN = re.compile(r"^[a-z0-9._-]{2,64}$")
_PHONE = re.compile(r"^[0-9+()\-\s]{5,32}$")
ROLE_SPELLINGS = spellings(
    {
        Role.ADMIN: ("администратор", "админ", "administrator"),
        Role.MANAGER: ("руководитель", "менеджер", "начальник"),
        Role.CONTROLLER: ("контролёр", "контролер"),
        Role.EXECUTOR: ("исполнитель",),
        Role.DISPATCHER: ("диспетчер",),
        Role.CLERK: ("делопроизводитель", "секретарь", "канцелярия"),
    }
)


@dataclass(slots=True)
class _Staff:
    full_name: str
    position: str
    department: str
    email: str | None
    phone: str
    login: str
    roles: list[str]
    external_id: str

    def keys(self) -> list[str]:
        return [k for k in (self.external_id, self.login, self.email) if k]


def parse_roles(value: str) -> list[str]:
    roles: list[str] = []
    for part in re.split(r"[,;/]", value):
        if not part.strip():
            continue
        role = ROLE_SPELLINGS.get(header_key(part))
        if role is None:
            raise Rejected(N_('Unknown role "%(value)s".'), value=part.strip())
        if role not in roles:
            roles.append(role)
    return roles


class StaffKind(ImportKind):
    name = "staff"
    title = N_("Staff")
    columns = (
        Column(
            "full_name",
            N_("Full name"),
            ("фио", "сотрудник", "name", "full name"),
            required=True,
            example="Иванов Иван Иванович",
        ),
        Column("position", N_("Position"), ("должность", "position"), example="Инженер"),
        Column("department", N_("Department"), ("отдел", "подразделение", "department"), example="Отдел ЖКХ"),
        Column(
            "email",
            N_("E-mail"),
            ("email", "почта", "электронная почта", "e mail"),
            example="ivanov@example.ru",
        ),
        Column("phone", N_("Phone"), ("телефон", "phone"), example="+7 900 123-45-67"),
        Column("login", N_("Login"), ("логин", "login"), example="ivanov"),
        Column("roles", N_("Roles"), ("роли", "роль", "role", "roles"), example="исполнитель, контролёр"),
        Column(
            "external_id",
            N_("External id"),
            ("табельный номер", "код", "id", "внешний id", "code"),
            example="S-0001",
        ),
    )

    def parse(self, cells: Cells, ctx: ChunkContext) -> _Staff:
        login = text(cells.get("login"), limit=64, name="login").lower()
        if login and not _LOGIN.match(login):
            raise Rejected(
                N_('The login "%(value)s" may only have Latin letters, digits, ".", "_" and "-".'),
                value=login,
            )
        phone = text(cells.get("phone"), limit=32, name="phone")
        if phone and not _PHONE.match(phone):
            raise Rejected(N_('"%(value)s" is not a phone number.'), value=phone)
        return _Staff(
            full_name=required(text(cells.get("full_name"), limit=255, name="full_name"), "full_name"),
            position=text(cells.get("position"), limit=255, name="position"),
            department=text(cells.get("department"), limit=255, name="department"),
            email=email(cells.get("email")),
            phone=phone,
            login=login,
            roles=parse_roles(text(cells.get("roles"))),
            external_id=text(cells.get("external_id"), limit=100, name="external_id"),
        )

    async def apply(self, ctx: ChunkContext, rows: list[tuple[int, Any]]) -> None:
        session = ctx.session
        found = await users_by_keys(session, (k for _n, r in rows for k in r.keys()))
        for number, row in rows:
            dept_id = None
            if row.department:
                dept_id = await department_id(ctx, row.department)
                if dept_id is None:
                    ctx.report.reject(number, N_('Unknown department "%(value)s".'), value=row.department)
                    continue
            user = next((u for k in row.keys() if (u := find_user(found, k)) is not None), None)
            if user is not None:
                clash = self._clash(found, row, user)
                if clash:
                    ctx.report.reject(number, clash[0], value=clash[1])
                    continue
            if user is None:
                if any(ctx.is_pending("staff", k.lower()) for k in row.keys()):
                    ctx.report.updated += 1
                    continue
                user = User(
                    full_name=row.full_name,
                    position=row.position or None,
                    department_id=dept_id if dept_id and dept_id > 0 else None,
                    email=row.email,
                    phone=row.phone or None,
                    login=row.login or None,
                    external_id=row.external_id or None,
                    role_rows=[UserRole(role=r) for r in (row.roles or [Role.EXECUTOR])],
                )
                session.add(user)
                await session.flush()
                for key in row.keys():
                    found[key.lower()] = user
                ctx.remember("staff", *(k.lower() for k in row.keys()))
                ctx.report.created += 1
                if not ctx.dry_run:
                    ctx.report.created_user_ids.append(user.id)
                continue
            changed = self._update(user, row, dept_id)
            if changed:
                await session.flush()
            ctx.report.found(changed)

    @staticmethod
    def _clash(found: dict[str, User], row: _Staff, user: User) -> tuple[str, str] | None:
        """A login or e-mail in the row that belongs to somebody else."""
        if row.login and (other := found.get(row.login)) is not None and other.id != user.id:
            return N_('The login "%(value)s" belongs to another staff member.'), row.login
        if row.external_id and user.external_id and user.external_id != row.external_id:
            return N_(
                "This row matches a staff member with another external id (%(value)s)."
            ), user.external_id
        return None

    @staticmethod
    def _update(user: User, row: _Staff, dept_id: int | None) -> bool:
        values: dict[str, Any] = {"full_name": row.full_name}
        for attr in ("position", "email", "phone", "login", "external_id"):
            if value := getattr(row, attr):
                values[attr] = value  # an empty cell changes nothing
        if dept_id and dept_id > 0:
            values["department_id"] = dept_id
        changed = assign_changed(user, values)
        current = {r.role for r in user.role_rows}
        if row.roles and set(row.roles) != current:
            # Only the difference: re-adding a kept role as a new row would clash with its old row.
            user.role_rows = [r for r in user.role_rows if r.role in row.roles] + [
                UserRole(role=role) for role in row.roles if role not in current
            ]
            changed = True
        return changed
