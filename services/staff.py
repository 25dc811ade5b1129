"""Departments and staff users: creation, roles, passwords, lookups."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from sqlalchemy import BigInteger, Case, ColumnElement, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Department, TelegramAccount, User, UserRole
from models.enums import Role
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound
from services.passwords import check_password, hash_password, needs_rehash, verify_password
from services.web_sessions import close_all

T = TypeVar("T")


def name_key(name: str | None) -> tuple[str, str]:
    """How people read a list of names: by letters whatever the case, «ё» with «е» (as a Russian
    directory sorts), not by the database's byte order, where «Ёлкин» comes before «Авдеев»."""
    folded = (name or "").casefold()
    return folded.replace("ё", "е"), folded


def by_name(items: Iterable[T], name: Callable[[T], str | None], ident: Callable[[T], int]) -> list[T]:
    """``items`` in the order of the pick lists: by name (``name_key``), then by id."""
    return sorted(items, key=lambda item: (name_key(name(item)), ident(item)))


def people_by_name(items: Iterable[T]) -> list[T]:
    """Staff (anything with ``full_name`` and ``id``) by full name, then id: every staff pick list."""
    return by_name(items, lambda p: p.full_name, lambda p: p.id)  # type: ignore[attr-defined]


def named_by_name(items: Iterable[T]) -> list[T]:
    """Departments, topics, organisations (anything with ``name`` and ``id``) by name, then id."""
    return by_name(items, lambda x: x.name, lambda x: x.id)  # type: ignore[attr-defined]


async def list_departments(session: AsyncSession) -> Sequence[Department]:
    return named_by_name((await session.scalars(select(Department))).all())


async def create_department(
    session: AsyncSession,
    actor: Actor,
    name: str,
    *,
    short_name: str | None = None,
    parent_id: int | None = None,
) -> Department:
    name = name.strip()
    if not name:
        raise InvalidInput("Department name is required.")
    if len(name) > 255:
        raise InvalidInput("Department name is too long.")
    # SQLite's lower() ignores Cyrillic, so names are compared case-insensitively in Python.
    existing = (await session.scalars(select(Department.name))).all()
    if any(other.casefold() == name.casefold() for other in existing):
        raise InvalidInput("A department with this name already exists.")
    dept = Department(name=name, short_name=(short_name or "").strip() or None, parent_id=parent_id)
    session.add(dept)
    await session.flush()
    record(session, actor, "department", dept.id, "created", data={"name": name})
    return dept


async def set_department_head(session: AsyncSession, actor: Actor, dept_id: int, user_id: int | None) -> None:
    dept = await session.get(Department, dept_id)
    if dept is None:
        raise NotFound("Department not found.")
    old = dept.head_id
    dept.head_id = user_id
    record(session, actor, "department", dept.id, "head_changed", data={"old": old, "new": user_id})


def _clean_roles(roles: Iterable[str]) -> set[Role]:
    try:
        return {Role(r) for r in roles}
    except ValueError as exc:
        raise InvalidInput("Unknown role.") from exc


async def create_user(
    session: AsyncSession,
    actor: Actor,
    *,
    full_name: str,
    roles: Iterable[str] = (Role.EXECUTOR,),
    department_id: int | None = None,
    position: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    login: str | None = None,
    password: str | None = None,
    telegram_id: int | None = None,
) -> User:
    full_name = full_name.strip()
    if not full_name:
        raise InvalidInput("Full name is required.")
    role_set = _clean_roles(roles)
    login = (login or "").strip().lower() or None
    if login and await session.scalar(select(func.count()).where(User.login == login)):
        raise InvalidInput("This login is already taken.")
    if department_id is not None and await session.get(Department, department_id) is None:
        raise NotFound("Department not found.")
    user = User(
        full_name=full_name,
        department_id=department_id,
        position=(position or "").strip() or None,
        email=(email or "").strip().lower() or None,
        phone=(phone or "").strip() or None,
        login=login,
        telegram_id=telegram_id,
        role_rows=[UserRole(role=r.value) for r in sorted(role_set)],
    )
    if password:
        check_password(password, user_inputs=(login, full_name, email))
        user.password_hash = hash_password(password)
    session.add(user)
    await session.flush()
    record(
        session,
        actor,
        "user",
        user.id,
        "created",
        data={
            "full_name": full_name,
            "roles": sorted(r.value for r in role_set),
            "department_id": department_id,
        },
    )
    return user


async def set_roles(session: AsyncSession, actor: Actor, user_id: int, roles: Iterable[str]) -> User:
    user = await get_user(session, user_id)
    new = _clean_roles(roles)
    old = user.roles
    if new != old:
        user.role_rows = [UserRole(role=r.value) for r in sorted(new)]
        record(
            session,
            actor,
            "user",
            user.id,
            "roles_changed",
            data={"old": sorted(r.value for r in old), "new": sorted(r.value for r in new)},
        )
    return user


async def set_password(session: AsyncSession, actor: Actor, user_id: int, password: str) -> None:
    """A new password ends every panel session of the user (a thief's copied cookie included)."""
    user = await get_user(session, user_id)
    check_password(password, user_inputs=(user.login, user.full_name, user.email))
    user.password_hash = hash_password(password)
    closed = await close_all(session, user.id)
    record(session, actor, "user", user.id, "password_set", data={"sessions_ended": closed})


async def reset_password(session: AsyncSession, actor: Actor, login: str, password: str) -> User:
    """The command line's way to a new password (when nobody can sign in to the panel)."""
    user = await session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        raise NotFound("User not found.")
    await set_password(session, actor, user.id, password)
    return user


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


async def get_user_by_telegram(session: AsyncSession, telegram_id: int) -> User | None:
    """The active staff member writing from this chat address: the account bound first
    (``User.telegram_id``) or one bound later in the other messenger."""
    return await session.scalar(_user_by_chat_query(), {"chat": telegram_id})


async def get_account_and_user(
    session: AsyncSession, chat_id: int
) -> tuple[TelegramAccount | None, User | None]:
    """The chat's account and its staff member (as :func:`get_user_by_telegram` picks them) in one
    statement: the bot asks this for every update. ``(None, user)`` when the chat has no account yet."""
    row = (await session.execute(_account_and_user_query(), {"chat": chat_id})).first()
    if row is None:
        return None, await get_user_by_telegram(session, chat_id)
    return row[0], row[1]


def _bound_to(
    chat: ColumnElement[int], account_user_id: ColumnElement[int]
) -> tuple[ColumnElement[bool], Case]:
    # The one rule for both queries below: an active user whose primary chat this is, or the user the
    # chat's account was linked to later; the first-bound person wins.
    primary = User.telegram_id == chat
    return and_(User.is_active.is_(True), or_(primary, User.id == account_user_id)), case(
        (primary, 0), else_=1
    )


@functools.cache
def _user_by_chat_query() -> Select[tuple[User]]:
    # Built once: it runs for every update.
    chat = bindparam("chat", type_=BigInteger)
    linked = select(TelegramAccount.user_id).where(TelegramAccount.id == chat).scalar_subquery()
    bound, first = _bound_to(chat, linked)
    return select(User).where(bound).order_by(first).limit(1)


@functools.cache
def _account_and_user_query() -> Select[tuple[TelegramAccount, User]]:
    chat = bindparam("chat", type_=BigInteger)
    bound, first = _bound_to(chat, TelegramAccount.user_id)
    return (
        select(TelegramAccount, User)
        .outerjoin(User, bound)
        .where(TelegramAccount.id == chat)
        .order_by(first)
        .limit(1)
    )


async def list_users(session: AsyncSession, *, department_id: int | None = None) -> Sequence[User]:
    query = select(User)
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    return people_by_name((await session.scalars(query)).all())


async def authenticate(session: AsyncSession, login: str, password: str) -> User | None:
    """Return the active user for these credentials, or None (same timing either way)."""
    user = await session.scalar(select(User).where(User.login == login.strip().lower()))
    # argon2 takes ~100 ms of CPU by design: keep it off the event loop.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        # A hash made with weaker parameters is upgraded while the password is at hand (again off the loop).
        user.password_hash = await asyncio.to_thread(hash_password, password)
    return user


async def set_active(session: AsyncSession, actor: Actor, user_id: int, active: bool) -> User:
    user = await get_user(session, user_id)
    if user.is_active != active:
        user.is_active = active
        data = None if active else {"sessions_ended": await close_all(session, user.id)}
        record(session, actor, "user", user.id, "activated" if active else "deactivated", data=data)
    return user
